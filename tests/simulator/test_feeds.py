"""The department drops: where they land, how they are encoded, and that they describe one consistent city."""

from __future__ import annotations

import csv
import fnmatch
import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric

from tests.simulator.conftest import AS_OF

ID_DEFECTS = {"bad_check_digit", "legacy_15_digit", "fullwidth_digits"}


def _csv_rows(path, encoding="gbk") -> list[list[str]]:
    text = path.read_bytes().decode(encoding)  # strict: raises on anything that is not GBK
    return list(csv.reader(io.StringIO(text, newline="")))


def _frame(out, contract) -> pd.DataFrame:
    """The delivered file as text under the contract's target names, indexed by physical row number."""
    landing = out / "landing"
    (path,) = [p for p in landing.rglob("*") if p.is_file()
               and fnmatch.fnmatch(p.relative_to(landing).as_posix(), contract.delivery.path)]
    names = {c.source: c.name for c in contract.columns}
    if contract.delivery.format == "csv":
        rows = _csv_rows(path, contract.delivery.encoding)
        header, data = rows[0], rows[1:]
        start = 2
    else:
        ws = load_workbook(path, read_only=True)[contract.delivery.sheet]
        rows = [["" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v)) for v in r]
                for r in ws.iter_rows(values_only=True)]
        header, data = rows[contract.delivery.header_row - 1], rows[contract.delivery.header_row:]
        start = contract.delivery.header_row + 1
    frame = pd.DataFrame(data, columns=[names[h] for h in header], dtype="string")
    frame.index = range(start, start + len(frame))
    return frame


def test_landing_paths_match_contract_globs_and_are_dated(city, contracts):
    out, summary = city
    for cid in ("gongan.hukou", "gongan.liudong", "zhujian.fangwu"):
        rel = summary["feeds"][cid]["path"]
        assert fnmatch.fnmatch(rel, contracts[cid].delivery.path)
        assert AS_OF.strftime("%Y%m%d") in rel
        assert (out / "landing" / rel).is_file()
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers


@pytest.mark.parametrize("cid", ["gongan.hukou", "gongan.liudong"])
def test_csv_is_gbk_with_crlf_and_the_contract_header(city, contracts, records, cid):
    out, summary = city
    path = out / "landing" / summary["feeds"][cid]["path"]
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # Chinese text in GBK is not valid UTF-8: the file really is GBK
    assert raw.count(b"\r\n") == raw.count(b"\n") and raw.endswith(b"\r\n")
    rows = _csv_rows(path)
    assert rows[0] == [c.source for c in contracts[cid].columns]
    assert len(rows) - 1 == (records.contract_id == cid).sum() == summary["feeds"][cid]["records"]


def test_xlsx_has_title_row_then_header(city, contracts, records):
    out, summary = city
    c = contracts["zhujian.fangwu"]
    wb = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])
    assert wb.sheetnames == [c.delivery.sheet]
    ws = wb[c.delivery.sheet]
    assert ws["A1"].value == f"宜春市房屋信息登记表（导出日期：{AS_OF:%Y-%m-%d}）"
    from openpyxl.utils import get_column_letter

    assert [str(r) for r in ws.merged_cells.ranges] == [f"A1:{get_column_letter(len(c.columns))}1"]
    assert [cell.value for cell in ws[c.delivery.header_row]] == [col.source for col in c.columns]
    assert ws.max_row - c.delivery.header_row == (records.contract_id == c.id).sum()
    first = [cell.value for cell in ws[3]]
    assert first[3].endswith("号") and first[5].endswith("栋") and first[7].endswith("室")


def test_truth_row_numbers_point_at_the_delivered_rows(city, contracts, records):
    out, _ = city
    for cid in ("gongan.hukou", "gongan.liudong", "zhujian.fangwu"):
        frame = _frame(out, contracts[cid])
        pk = contracts[cid].primary_key[0]
        truth = records[records.contract_id == cid].set_index("row_number")
        assert list(truth.index) == list(frame.index)
        assert (truth.record_key.fillna("") == frame[pk].fillna("")).all()


def test_ids_valid_exactly_where_no_id_defect(city, contracts, records):
    out, _ = city
    checked = 0
    for cid, column in (("gongan.hukou", "id_number"), ("gongan.liudong", "id_number"),
                        ("zhujian.fangwu", "owner_id_number")):
        frame = _frame(out, contracts[cid])
        truth = records[records.contract_id == cid].set_index("row_number")
        for row, value in frame[column].items():
            damaged = bool(ID_DEFECTS & set(truth.at[row, "defects"]))
            shaped = len(value) == 18 and value.isascii()
            assert (shaped and ric.is_valid(value)) == (not damaged), (cid, row, value)
            checked += 1
    assert checked > 1000


def test_persons_consistent_with_their_ids_and_rooms(city):
    out, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet")
    assert persons.person_key.is_unique and persons.id_number.is_unique and houses.house_id.is_unique
    assert houses.address_key.is_unique
    assert persons.house_id.isin(houses.house_id).all()
    for p in persons.itertuples():
        assert ric.is_valid(p.id_number)
        assert ric.get_birth_date(p.id_number) == p.birth_date
        assert (int(p.id_number[16]) % 2 == 1) == (p.sex == "男")
        assert p.birth_date <= AS_OF
    floating = persons[persons.population_type == "流动"]
    assert not floating.id_number.str.startswith("36").any()  # registered in another province
    share = (persons.population_type == "流动").mean()
    assert 0.18 <= share <= 0.32
    sizes = persons[persons.population_type == "户籍"].groupby("household_id").size()
    assert 2.6 <= sizes.mean() <= 3.2
    assert set(persons.division_code) <= {"360902", "360921", "360922", "360923", "360924", "360925", "360926",
                                          "360981", "360982", "360983"}
    households_per_grid = persons.groupby("grid_code").household_id.nunique()
    assert (households_per_grid <= 500).all()


def test_every_lived_in_room_is_in_the_register(city, contracts):
    out, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    register = _frame(out, contracts["zhujian.fangwu"])
    assert set(persons.house_id) <= set(register.house_id)
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet")
    assert len(houses) == register.house_id.nunique()


def test_hukou_fields_follow_the_person(city, contracts, records):
    out, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    frame = _frame(out, contracts["gongan.hukou"])
    truth = records[records.contract_id == "gongan.hukou"].set_index("row_number")
    for row, rec in frame.iterrows():
        p = persons.loc[truth.at[row, "entity_key"]]
        defects = set(truth.at[row, "defects"])
        assert rec.sex == ("1" if p.sex == "男" else "2")
        if "bad_date" not in defects:
            assert rec.birth_date == p.birth_date.strftime("%Y%m%d")
        assert rec.household_id == p.household_id
        assert rec.division_code == p.division_code == rec.grid_code[:6]
    heads = frame[frame.relation_to_head == "户主"]
    assert heads.household_id.nunique() == frame.household_id.nunique()


def test_work_order_store(city, records):
    out, summary = city
    lines = (out / "sim" / "api" / "shuju" / "workorders.jsonl").read_text(encoding="utf-8").splitlines()
    orders = [json.loads(x) for x in lines]
    assert len(orders) == summary["feeds"]["shuju.hotline"]["records"] == (records.contract_id == "shuju.hotline").sum()
    assert 60 <= len(orders) <= 140  # ~0.1 per person per year
    assert orders == sorted(orders, key=lambda o: (o["gxsj"], o["gdbh"]))
    start = f"{AS_OF.replace(year=AS_OF.year - 1):%Y-%m-%d}"
    closed = 0
    for o in orders:
        assert start <= o["ldsj"] < f"{AS_OF:%Y-%m-%d}"
        assert o["gxsj"] < f"{AS_OF:%Y-%m-%d}"
        stamps = [t for t in (o["ldsj"], o["pdsj"], o["bjsj"], o["gxsj"]) if t]
        assert stamps == sorted(stamps)
        closed += o["blzt"] in ("已办结", "已回访")
        assert (o["bjsj"] is not None) == (o["blzt"] in ("已办结", "已回访"))
        assert (o["myd"] is not None) == (o["blzt"] == "已回访")
    assert closed / len(orders) >= 0.9
    assert any(o["ldrxm"] is None for o in orders)


def test_register_defects_sit_on_vacant_rooms(city, records):
    """So residents resolve the same whether the register counts every delivered room or only valid ones."""
    out, _ = city
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet").set_index("house_id")
    fangwu = records[(records.contract_id == "zhujian.fangwu") & records.defects.map(lambda d: len(d) > 0)]
    originals = fangwu[~fangwu.defects.map(lambda d: "duplicate" in d)]
    assert len(originals) > 10
    assert houses.loc[originals.entity_key, "is_vacant"].all()
