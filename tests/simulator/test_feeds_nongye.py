"""农业农村局's xlsx workbooks, read by the pipeline's reader, truth agreeing with the rules: 行政村与自然村 (one
sheet per county, header on row 1; the world's 村委会 and their 自然村) and 防止返贫监测对象 (a title row; whole
registered households of rural grids)."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric

from ingest.contracts import load_contracts
from simulator.city import simulate
from simulator.feeds import nongye
from simulator.geography import DISTRICTS
from tests.simulator import draft_feeds as df
from tests.simulator import world_feeds as wf
from tests.simulator.conftest import AS_OF

FEEDS = ["nongye.cun", "nongye.fanpin"]
DEFAULT = {spec.contract_id: spec.defects.rates for spec in nongye.FEEDS}
HIGH = {"nongye.cun": {k: 0.15 for k in DEFAULT["nongye.cun"]},
        "nongye.fanpin": {k: 0.06 for k in DEFAULT["nongye.fanpin"]}}
NAMES = {d.code: d.name for d in DISTRICTS}


@contextlib.contextmanager
def _share(share: float | None):
    with pytest.MonkeyPatch.context() as mp:
        if share is not None:
            mp.setattr(nongye, "SHARE", share)
        yield


def _simulate(out, persons, share: float | None = None, **kw):
    """A city with both feeds switched on in a copy of the contracts; ``share`` of rural households monitored."""
    cdir = out / "contracts"
    shutil.copytree(df.REPO / "contracts", cdir)
    for cid in FEEDS:
        path = cdir / "nongye" / f"{cid.split('.')[1]}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("\nstatus: draft\n", "\nstatus: active\n"),
                        encoding="utf-8")
    with _share(share):
        summary = simulate(out / "city", persons=persons, seed=df.SEED, as_of=AS_OF, contracts_dir=cdir, **kw)
    return out / "city", summary, {c.id: c for c in load_contracts(cdir)}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = _simulate(tmp_path_factory.mktemp("nongye"), 5000)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):  # more households monitored, so every kind meets enough of them
    out, summary, contracts = _simulate(tmp_path_factory.mktemp("nongye_bad"), 10_000, share=0.1, rates=HIGH)
    return out, summary, contracts, df.truth(out)


def _truth(out, records, cid):
    return records[records.contract_id == cid].assign(_part=lambda t: t.sheet.fillna("")).set_index(
        ["_part", "row_number"])


# ---- 行政村与自然村 ----------------------------------------------------------------------------------------


def test_cun_one_sheet_per_county_header_on_row_one(city):
    out, summary, contracts, records = city
    c = contracts["nongye.cun"]
    wb = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])
    villages = pd.read_parquet(out / "sim" / "truth" / "divisions.parquet").query("kind == '村委会'")
    counties = sorted(set(villages.code.str[:6]))
    assert wb.sheetnames == [NAMES[code] for code in counties] and len(counties) > 1
    tr = records[records.contract_id == c.id]
    for name in wb.sheetnames:
        ws = wb[name]
        assert [cell.value for cell in ws[1]] == [col.source for col in c.columns]
        assert sorted(tr[tr.sheet == name].row_number) == list(range(2, ws.max_row + 1))
        assert {NAMES[k[:6]] for k in tr[tr.sheet == name].entity_key} == {name}
    frame = wf.assert_truth_matches(out, c)  # the pipeline's reader, every sheet; the truth's verdicts
    assert len(frame) == len(tr) and 0.9 < tr.is_valid.mean() <= 1  # ≈96%


def test_cun_lists_the_worlds_villages_and_their_natural_villages(city):
    out, summary, contracts, records = city
    c = contracts["nongye.cun"]
    frame = wf.delivered(out, c)
    truth_dir = out / "sim" / "truth"
    divisions = pd.read_parquet(truth_dir / "divisions.parquet").set_index("code")
    natural = pd.read_parquet(truth_dir / "natural_villages.parquet").set_index("natural_village_code")
    villages = divisions[divisions.kind == "村委会"]
    tr = _truth(out, records, c.id).loc[frame.index]
    assert set(tr.entity_key) == set(villages.index) | set(natural.index)
    clean = frame[(tr.defects.map(len) == 0).to_numpy()]
    adm, nat = clean[clean.village_kind == "行政村"], clean[clean.village_kind == "自然村"]
    assert len(adm) > 2 and len(nat) > 10
    assert (nat.parent_code.to_numpy() == natural.loc[nat.village_code, "village_code"].to_numpy()).all()
    assert (clean.township.to_numpy() == divisions.loc[clean.village_code.str[:9] + "000", "name"].to_numpy()).all()
    assert (nat.lat.astype(float).to_numpy() == natural.loc[nat.village_code, "lat"].to_numpy()).all()
    # households and registered persons of the village's grids, shared out among its 自然村
    grids = pd.read_parquet(truth_dir / "grids.parquet")
    by_village = grids.assign(registered=grids.persons - grids.floating_persons).groupby("village_code")[
        ["households", "registered"]].sum()
    assert (adm.households.astype(int).to_numpy() == by_village.loc[adm.village_code, "households"].to_numpy()).all()
    assert (adm.population.astype(int).to_numpy() == by_village.loc[adm.village_code, "registered"].to_numpy()).all()
    children = pd.DataFrame({"village": tr.entity_key.str[:12].to_numpy(), "households": frame.households.astype(int),
                             "damaged": (tr.defects.map(len) > 0).to_numpy()})[(tr.entity_key.str.len() == 14).to_numpy()]
    undamaged = children.groupby("village").filter(lambda g: not g.damaged.any()).groupby("village").households.sum()
    expected = adm.set_index("village_code").households.astype(int)
    whole = undamaged.index.intersection(expected.index)
    assert len(whole) > 1 and (undamaged[whole] == expected[whole]).all()
    # the secretary is one of the village's residents
    persons = pd.read_parquet(truth_dir / "persons.parquet")
    assert set(adm.secretary) <= set(persons.name)


def test_cun_every_defect_kind_is_applied_and_judged(damaged):
    out, summary, contracts, records = damaged
    c = contracts["nongye.cun"]
    wf.assert_truth_matches(out, c)
    tr = records[records.contract_id == c.id]
    rates = {**DEFAULT[c.id], **HIGH[c.id]}
    counts = df.defect_counts(tr)
    assert set(counts) == set(rates)
    n, sheets = int((~tr.defects.map(lambda d: "duplicate" in d)).sum()), tr.sheet.nunique()
    for kind, rate in rates.items():  # stratified per county sheet: within one a sheet of rate × n
        slack = 3 + 0.5 * rate * n if kind == "duplicate" else sheets
        assert abs(counts[kind] - rate * n) <= slack, (kind, counts[kind], rate * n)
    # a mistyped parent code only on 自然村 rows (a 行政村 has none)
    hit = tr.defects.map(lambda d: "bad_stats_code" in d)
    assert tr[hit].entity_key.str.len().eq(14).all()


# ---- 防止返贫监测对象 -------------------------------------------------------------------------------------


def test_fanpin_title_then_header(city):
    out, summary, contracts, records = city
    c = contracts["nongye.fanpin"]
    ws = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])[c.delivery.sheet]
    assert ws["A1"].value == f"宜春市防止返贫监测对象信息表（{AS_OF:%Y年%m月}）"
    assert [cell.value for cell in ws[2]] == [col.source for col in c.columns]
    frame, _ = df.delivery(out, summary, c)
    assert len(frame) == len(df.day_truth(records, c.id)) == ws.max_row - 2 > 30


@pytest.mark.parametrize("fixture", ["city", "damaged"])
def test_fanpin_truth_agrees_with_the_rules(fixture, request):
    out, summary, contracts, records = request.getfixturevalue(fixture)
    c = contracts["nongye.fanpin"]
    wf.assert_truth_matches(out, c)  # its rules include the 统计用区划代码 of the village
    tr = df.day_truth(records, c.id)
    if fixture == "city":
        assert 0.8 < tr.is_valid.mean() < 0.97  # ≈89%
    else:
        rates = {**DEFAULT[c.id], **HIGH[c.id]}
        assert set(df.defect_counts(tr)) == set(rates)
        df.assert_rates(tr, rates, summary["grids"], skip=("legacy_15_digit",))  # only for those born before 1985


def test_fanpin_whole_registered_households_of_rural_grids(city):
    out, summary, contracts, records = city
    c = contracts["nongye.fanpin"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id).loc[frame.index]
    truth_dir = out / "sim" / "truth"
    persons = pd.read_parquet(truth_dir / "persons.parquet").set_index("person_key")
    grids = pd.read_parquet(truth_dir / "grids.parquet").set_index("grid_code")
    who = persons.loc[tr.entity_key]
    assert (who.population_type == "户籍").all() and (~who.grid_code.map(grids.is_urban)).all()
    households = set(who.household_id)
    assert set(persons[persons.household_id.isin(households)].index) == set(tr.entity_key)  # every member
    clean = (tr.defects.map(len) == 0).to_numpy()
    rows, who = frame[clean], who[clean]
    assert (rows.village_code.to_numpy() == who.grid_code.map(grids.village_code).to_numpy()).all()
    assert (rows.relation_to_head.to_numpy() == who.relation_to_head.to_numpy()).all()
    assert (rows.id_number.to_numpy() == who.id_number.to_numpy()).all()
    identified = pd.to_datetime(rows.identified_date, format="%Y年%m月%d日")
    updated = pd.to_datetime(rows.updated_at, format="%Y年%m月%d日")
    assert (identified >= pd.Timestamp(nongye.MONITORING_SINCE)).all() and (identified <= updated).all()
    assert (updated <= pd.Timestamp(AS_OF)).all()
    # one household, one assessment: its members agree on type, risk and dates
    assert (rows.groupby("household_id")[["monitor_type", "risk", "identified_date"]].nunique() == 1).all().all()


def test_fanpin_id_numbers_valid_exactly_where_no_id_defect(damaged):
    out, summary, contracts, records = damaged
    frame, _ = df.delivery(out, summary, contracts["nongye.fanpin"])
    tr = df.day_truth(records, "nongye.fanpin").loc[frame.index]
    hit = tr.defects.map(lambda d: bool({"bad_check_digit", "legacy_15_digit"} & set(d))).to_numpy()
    # python-stdnum reads full-width digits (not a full-width Ｘ): those are judged by their width instead
    wide = tr.defects.map(lambda d: "fullwidth_digits" in d).to_numpy()
    assert wide.any() and (frame.id_number.map(str.isascii).to_numpy() == ~wide).all()
    valid = frame.id_number.map(ric.is_valid).to_numpy()
    assert hit.any() and (valid[~wide] == ~hit[~wide]).all()


# ---- both ---------------------------------------------------------------------------------------------------


def test_a_delta_day_is_a_full_export(tmp_path):
    out, summary, contracts = _simulate(tmp_path, 3000, share=0.1, days=1, move_rate=0.05)
    records = df.truth(out)
    c = contracts["nongye.fanpin"]
    day0, _ = df.delivery(out, summary, c, 0)
    day1, _ = df.delivery(out, summary, c, 1)
    assert sorted(day0.member_id) == sorted(day1.member_id)
    tr1 = df.day_truth(records, c.id, 1).loc[day1.index]
    moves = pd.read_parquet(out / "sim" / "truth" / "changes.parquet")
    moved = (tr1.entity_key.isin(set(moves.entity_key)) & (tr1.defects.map(len) == 0)).to_numpy()
    assert moved.sum() > 0 and (day1.updated_at[moved] == f"{AS_OF:%Y年%m月%d日}").all()  # a later update
    # the village list does not change from one day to the next: the same rows again, in a new file
    c = contracts["nongye.cun"]
    paths = [d["path"] for d in summary["feeds"][c.id]["days"]]
    assert paths[1].endswith(f"{AS_OF + dt.timedelta(days=1):%Y%m%d}.xlsx") and paths[0] != paths[1]
    rows = [df.delivery(out, summary, c, d)[0] for d in (0, 1)]
    assert rows[0].equals(rows[1])
