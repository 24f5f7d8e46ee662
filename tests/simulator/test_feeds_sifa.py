"""司法局's xlsx workbooks, read by the pipeline's reader, truth agreeing with the rules: 刑满释放人员 (a title
row), 社区矫正对象 (a title row over a two-row merged header), 人民调解案件 (one sheet per month, each titled)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric

from ingest.contracts import load_contracts
from simulator.city import simulate
from simulator.defects import DEFAULTS
from simulator.feeds import sifa
from simulator.world import events as world_events
from tests.simulator import draft_feeds as df
from tests.simulator import world_feeds as wf
from tests.simulator.conftest import AS_OF

FEEDS = ["sifa.xingman"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):  # 3,000 persons: a 1,000-person city holds one or two released prisoners
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("sifa"), FEEDS, persons=3000)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {"sifa.xingman": {k: 0.3 for k in DEFAULTS["sifa.xingman"].rates if k not in ("address_variant", "duplicate")}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("sifa_bad"), FEEDS, persons=4000, rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_xlsx_title_then_header(city):
    out, summary, contracts, records, _ = city
    c = contracts["sifa.xingman"]
    wb = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])
    ws = wb[c.delivery.sheet]
    assert ws["A1"].value.startswith("宜春市刑满释放人员安置帮教信息表")
    assert [cell.value for cell in ws[c.delivery.header_row]] == [col.source for col in c.columns]
    assert ws.max_row - c.delivery.header_row == len(df.day_truth(records, c.id)) > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["sifa.xingman"]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys) > 0


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records, keys = damaged
    c = contracts["sifa.xingman"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    df.assert_truth_matches_rules(frame, c, tr, keys)
    assert len(df.defect_counts(tr)) >= 3 and tr.defects.map(len).gt(0).mean() > 0.3


def test_released_are_registered_adults(city):
    out, summary, contracts, records, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    tr = df.day_truth(records, "sifa.xingman")
    assert (persons.loc[list(tr.entity_key)].population_type == "户籍").all()
    assert len(tr) < 0.01 * len(persons)


# ---- 社区矫正对象 and 人民调解案件 -----------------------------------------------------------------------------
# A small city holds few of either (≈0.05% of residents are under correction, disputes are 0.008 a person a
# year), so these cities raise both shares; the generators and the defect rates are the defaults.
MINE = ["sifa.jiaozheng", "sifa.tiaojie"]
ID_KINDS = {"bad_check_digit", "legacy_15_digit", "fullwidth_digits"}


@contextlib.contextmanager
def _more_cases(disputes: float):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sifa, "JIAOZHENG_SHARE", (0.06, 0.012))
        mp.setitem(world_events.KINDS, "dispute", dataclasses.replace(world_events.KINDS["dispute"],
                                                                      per_person_year=disputes))
        yield


def _simulate(out, persons, disputes: float = 0.08, **kw):
    """A city with the 司法 feeds switched on (drafts too, in a copy of the contracts) and more cases."""
    cdir = out / "contracts"
    shutil.copytree(df.REPO / "contracts", cdir)
    for cid in FEEDS + MINE:
        path = cdir / cid.replace(".", "/", 1).__add__(".yaml")
        path.write_text(path.read_text(encoding="utf-8").replace("\nstatus: draft\n", "\nstatus: active\n"),
                        encoding="utf-8")
    with _more_cases(disputes):
        summary = simulate(out / "city", persons=persons, seed=df.SEED, as_of=AS_OF, contracts_dir=cdir, **kw)
    return out / "city", summary, {c.id: c for c in load_contracts(cdir)}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    out, summary, contracts = _simulate(tmp_path_factory.mktemp("sifa_cases"), 3000)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


HIGH = {"sifa.jiaozheng": {k: 0.08 for k in sifa.FEEDS[1].defects.rates if k not in ("address_variant",)},
        "sifa.tiaojie": {k: 0.06 for k in sifa.FEEDS[2].defects.rates}}


@pytest.fixture(scope="module")
def cases_damaged(tmp_path_factory):
    out, summary, contracts = _simulate(tmp_path_factory.mktemp("sifa_cases_bad"), 4000, rates=HIGH)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_jiaozheng_title_then_two_row_merged_header(cases):
    out, summary, contracts, records, _ = cases
    c = contracts["sifa.jiaozheng"]
    ws = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])[c.delivery.sheet]
    assert ws["A1"].value.startswith("宜春市社区矫正对象花名册") and c.delivery.header_row == 3
    sources = [col.source for col in c.columns]
    top = [cell.value for cell in ws[2]]
    leaf = [cell.value for cell in ws[3]]
    groups = [s.split("/")[0] if "/" in s else None for s in sources]
    for i, (s, g) in enumerate(zip(sources, groups)):
        if g is None:  # ungrouped: its name once, merged down both rows
            assert top[i] == s and leaf[i] is None
        else:  # the group's label only over its first leaf
            assert leaf[i] == s.split("/")[1] and top[i] == (g if i == 0 or groups[i - 1] != g else None)
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:M1", "A2:A3", "B2:F2", "G2:K2", "L2:L3", "M2:M3"} == merged
    frame, batch = df.delivery(out, summary, c)  # the pipeline's reader: header = the contract's names
    assert len(frame) == len(df.day_truth(records, c.id)) == ws.max_row - 3 > 30


@pytest.mark.parametrize("cid", MINE)
def test_truth_agrees_with_the_rules_at_default_rates(cases, cid):
    out, summary, contracts, records, keys = cases
    c = contracts[cid]
    if cid == "sifa.tiaojie":
        frame = wf.assert_truth_matches(out, c)
    else:
        frame, _ = df.delivery(out, summary, c)
        df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys)
    mine = records[records.contract_id == cid]
    # ≈91% (correction register) and ≈97% (mediation cases) at the defaults
    assert len(frame) == len(mine) and {"sifa.jiaozheng": 0.85, "sifa.tiaojie": 0.94}[cid] < mine.is_valid.mean() < 1


@pytest.mark.parametrize("cid", MINE)
def test_every_defect_kind_is_applied_and_judged(cases_damaged, cid):
    out, summary, contracts, records, keys = cases_damaged
    c = contracts[cid]
    if cid == "sifa.tiaojie":
        wf.assert_truth_matches(out, c)
    else:
        frame, _ = df.delivery(out, summary, c)
        df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys)
    tr = records[records.contract_id == cid]
    counts = df.defect_counts(tr)
    rates = {**dict(sifa.FEEDS[MINE.index(cid) + 1].defects.rates), **HIGH[cid]}
    assert set(counts) == set(rates)
    n = int((~tr.defects.map(lambda d: "duplicate" in d)).sum())
    for kind, rate in rates.items():
        if kind == "duplicate":  # drawn per record by the sink
            assert abs(counts[kind] - rate * n) <= 3 + 0.5 * rate * n, (kind, counts[kind], rate * n)
        elif kind != "legacy_15_digit":  # only for those born before 1985: fewer when they are few
            # stratified per chunk (jiaozheng: one; tiaojie: one per month), so within a few of rate × n
            assert abs(counts[kind] - rate * n) <= 4, (kind, counts[kind], rate * n)


def test_jiaozheng_are_adult_residents_of_the_city(cases):
    out, summary, contracts, records, _ = cases
    c = contracts["sifa.jiaozheng"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    who = persons.loc[list(tr.entity_key)]
    age = (pd.Timestamp(AS_OF) - pd.to_datetime(who.birth_date)).dt.days / 365.25
    assert age.between(18, 76).all() and (who.sex == "男").mean() > 0.7
    assert set(who.population_type) <= {"户籍", "流动"}
    # the 司法所 of each person's township (grid → township → its name in the 统计局 divisions)
    grids = pd.read_parquet(out / "sim" / "truth" / "grids.parquet").set_index("grid_code")
    names = pd.read_parquet(out / "sim" / "truth" / "divisions.parquet").set_index("code")["name"]
    office = who.grid_code.map(grids.township_code).map(names) + "司法所"
    assert (frame.justice_office.to_numpy() == office.to_numpy()).all()
    clean = tr.defects.map(len) == 0
    rows = frame[clean.to_numpy()]
    assert len(rows) > 20
    truth_of = who[clean.to_numpy()]
    assert (rows.id_number.to_numpy() == truth_of.id_number.to_numpy()).all()
    assert (rows.name.to_numpy() == truth_of.name.to_numpy()).all()
    assert (rows.division_code.to_numpy() == truth_of.division_code.to_numpy()).all()
    start, end = pd.to_datetime(rows.start_date), pd.to_datetime(rows.end_date)
    assert ((start <= pd.Timestamp(AS_OF)) & (pd.Timestamp(AS_OF) <= end)).all()
    assert (rows.correction_type.value_counts().index[0]) == "缓刑"


@pytest.mark.parametrize("cid,column", [("sifa.jiaozheng", "id_number"), ("sifa.tiaojie", "applicant_id_number")])
def test_id_numbers_valid_exactly_where_no_id_defect(cases_damaged, cid, column):
    out, summary, contracts, records, _ = cases_damaged
    c = contracts[cid]
    tr = records[records.contract_id == cid]
    if cid == "sifa.tiaojie":
        frame = wf.delivered(out, c)
        tr = tr.assign(_part=tr.sheet).set_index(["_part", "row_number"]).loc[frame.index]
    else:
        frame, _ = df.delivery(out, summary, c)
        tr = tr.set_index("row_number").loc[frame.index]
    hit = tr.defects.map(lambda d: bool(ID_KINDS & set(d))).to_numpy()
    valid = frame[column].map(ric.is_valid).to_numpy()
    assert hit.any() and (valid == ~hit).all()


def test_tiaojie_one_sheet_per_month_each_with_its_title(cases):
    out, summary, contracts, records, _ = cases
    c = contracts["sifa.tiaojie"]
    wb = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])
    first = AS_OF - dt.timedelta(days=365)
    months = pd.period_range(first, AS_OF - dt.timedelta(days=1), freq="M")
    assert wb.sheetnames == [f"{m.year}年{m.month}月" for m in months]  # the year before the export, in order
    tr = records[records.contract_id == c.id]
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws["A1"].value == f"宜春市人民调解案件登记台账（{name}）"
        assert [cell.value for cell in ws[2]] == [col.source for col in c.columns]
        assert sorted(tr[tr.sheet == name].row_number) == list(range(3, ws.max_row + 1))
    frame = wf.delivered(out, c)
    ok = tr.set_index(["sheet", "row_number"]).defects.map(lambda d: "bad_date" not in d).loc[frame.index]
    accepted = pd.to_datetime(frame.accepted_date[ok.to_numpy()])
    sheet = frame.index.get_level_values(0)[ok.to_numpy()]
    assert (sheet == [f"{d.year}年{d.month}月" for d in accepted]).all()


def test_tiaojie_cases_are_the_worlds_disputes(cases):
    out, summary, contracts, records, _ = cases
    c = contracts["sifa.tiaojie"]
    frame = wf.delivered(out, c)
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    disputes = events[events.kind == "dispute"].set_index("event_id")
    tr = records[records.contract_id == c.id]
    assert set(tr.entity_key) == set(disputes.index) and len(disputes) > 150
    tr = tr.set_index(["sheet", "row_number"]).loc[frame.index]
    clean = frame[(tr.defects.map(len) == 0).to_numpy()]
    e = disputes.loc[clean.case_id]
    assert (clean.accepted_date.to_numpy() == pd.to_datetime(e.reported_at).dt.strftime("%Y-%m-%d").to_numpy()).all()
    assert (clean.division_code.to_numpy() == e.district_code.to_numpy()).all()
    closed = e.closed_at.notna().to_numpy()
    assert (clean.result[~closed] == "调解中").all()
    assert (clean.result[closed].to_numpy() == e.outcome[closed].where(e.outcome[closed] == "调解成功", "x").to_numpy())[
        (e.outcome[closed] == "调解成功").to_numpy()].all()
    assert (clean.closed_date[closed].to_numpy()
            == pd.to_datetime(e.closed_at[closed]).dt.strftime("%Y-%m-%d").to_numpy()).all()
    # the committee of the dispute's village; the applicant a resident of the city
    names = pd.read_parquet(out / "sim" / "truth" / "divisions.parquet").set_index("code")["name"]
    assert (clean.committee.to_numpy() == (e.village_code.map(names) + "人民调解委员会").to_numpy()).all()
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("id_number")["name"]
    assert (clean.applicant_id_number.map(persons) == clean.applicant_name).all()
    # 矛盾纠纷化解率: most closed cases end in an agreement
    assert 0.9 < (clean.result[closed] == "调解成功").mean() <= 1


def test_a_delta_day_is_a_full_export_with_the_days_changes(tmp_path):
    # ≈2 disputes a day, so some open case is mediated to an end on the as-of day
    out, summary, contracts = _simulate(tmp_path, 2000, disputes=0.4, days=1, move_rate=0.05)
    records = df.truth(out)
    # 社区矫正: the whole roster again; who moved has the new address and a later update date
    c = contracts["sifa.jiaozheng"]
    day0, _ = df.delivery(out, summary, c, 0)
    day1, _ = df.delivery(out, summary, c, 1)
    assert sorted(day0.case_id) == sorted(day1.case_id)
    moves = pd.read_parquet(out / "sim" / "truth" / "changes.parquet")
    tr1 = df.day_truth(records, c.id, 1)
    moved = tr1.entity_key.isin(set(moves.entity_key)).to_numpy() & (tr1.defects.map(len) == 0).to_numpy()
    assert moved.sum() > 0
    a = day0.set_index("case_id").loc[day1.case_id[moved]]
    b = day1[moved].set_index("case_id")
    assert (a.address != b.address).all() and (b.updated_at == f"{AS_OF:%Y-%m-%d}").all()
    # 人民调解: the year before the new date: the as-of day's cases come in, the oldest day's go out
    c = contracts["sifa.tiaojie"]
    t0, t1 = (records[(records.contract_id == c.id) & (records.day == d)] for d in (0, 1))
    new, gone = set(t1.entity_key) - set(t0.entity_key), set(t0.entity_key) - set(t1.entity_key)
    assert all(k.startswith(f"TJ{AS_OF:%Y%m%d}") for k in new)
    assert all(k.startswith(f"TJ{AS_OF - dt.timedelta(days=365):%Y%m%d}") for k in gone)
    # cases mediated to an end on the as-of day show their result the next day
    f0, f1 = (df.delivery(out, summary, c, d)[0].drop_duplicates("case_id").set_index("case_id") for d in (0, 1))
    both = f0.index.intersection(f1.index)
    ended = (f0.loc[both, "result"] == "调解中") & (f1.loc[both, "result"] != "调解中")
    assert ended.sum() > 0 and (f1.loc[ended[ended].index, "closed_date"] == f"{AS_OF:%Y-%m-%d}").all()
    assert summary["feeds"][c.id]["days"][1]["path"].endswith(f"{AS_OF + dt.timedelta(days=1):%Y%m%d}.xlsx")
