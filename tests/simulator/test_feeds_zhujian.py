"""住建 物业小区 (xlsx with a title row): the city's compounds exactly as its rooms and standard addresses name
them, 物业服务企业 from the world's enterprises, truth agreeing with the rules. 商品房网签备案 (plain xlsx, delta
deliveries): the new compounds' rooms bought by their owners from the world's developers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.cn import uscc as stdnum_uscc

from simulator.defects import default_config
from tests.simulator import draft_feeds as df
from tests.simulator.world_feeds import assert_truth_matches

CID = "zhujian.xiaoqu"
KINDS = ("bad_division", "missing_required", "bad_uscc", "bad_date", "bad_phone", "wrong_code")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("zhujian"), [CID], persons=3000, days=1)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("zhujian_bad"), [CID], persons=5000,
                                               rates={CID: {k: 0.12 for k in KINDS} | {"duplicate": 0.05}})
    return out, summary, contracts, df.truth(out)


def test_xlsx_title_row_then_header(city):
    out, summary, contracts, records = city
    c = contracts[CID]
    ws = load_workbook(out / "landing" / summary["feeds"][CID]["path"])[c.delivery.sheet]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("宜春市住宅小区及物业服务信息表")
    assert list(rows[1]) == [col.source for col in c.columns]
    assert len(rows) - 2 == len(df.day_truth(records, CID)) > 0


def test_compounds_are_the_citys_compounds(city):
    """One record per compound of the room register (same district, street, door and name as the standard
    addresses), with its buildings, rooms and floor area summed from the rooms."""
    out, summary, contracts, records = city
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet")
    frame = assert_truth_matches(out, contracts[CID])
    tr = df.day_truth(records, CID)
    tr = tr[tr.defects.map(len) == 0]
    groups = houses.groupby(["division_code", "street", "door_number", "compound"])
    assert len(groups) == len(df.day_truth(records, CID)[lambda t: ~t.defects.map(lambda d: "duplicate" in d)])
    by_first = {f"XQ{g.house_id.min()[1:]}": (key, g) for key, g in groups}
    for row in tr.index:
        r = frame.loc[("", row)]
        (division, street, door, compound), g = by_first[r.compound_id]
        assert (r["name"], r.division_code, r.street, r.door_number) == (compound, division, street, f"{door}号")
        assert int(float(r.households)) == len(g) and int(float(r.buildings)) == g.building.nunique()
        assert all(a.startswith(f"江西省宜春市") and f"{street}{door}号{compound}" in a for a in g.address)


def test_property_companies_are_world_enterprises(city):
    out, summary, contracts, records = city
    frame = assert_truth_matches(out, contracts[CID])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    enterprises = set(orgs[(orgs.category == "enterprise") & (orgs.status == "存续")].uscc)
    tr = df.day_truth(records, CID)
    clean = [i for i in frame.index if not tr.at[i[1], "defects"].size and frame.at[i, "pm_uscc"]]
    assert clean and all(frame.at[i, "pm_uscc"] in enterprises for i in clean)


def test_defects_break_exactly_their_rules_and_codes_valid_where_clean(damaged):
    out, summary, contracts, records = damaged
    frame = assert_truth_matches(out, contracts[CID])
    tr = df.day_truth(records, CID)
    assert set(KINDS) | {"duplicate"} <= set(df.defect_counts(tr))
    for i in frame.index:
        value = frame.at[i, "pm_uscc"]
        if value:
            assert stdnum_uscc.is_valid(value) == ("bad_uscc" not in tr.at[i[1], "defects"])


def test_default_rates_and_full_snapshot_each_day(city):
    out, summary, contracts, records = city
    tr = df.day_truth(records, CID)
    df.assert_rates(tr, default_config()[CID].rates, summary["grids"])
    mine = records[records.contract_id == CID]
    assert sorted(mine[mine.day == 0].entity_key) == sorted(mine[mine.day == 1].entity_key)
# ---- 商品房网签备案 ---------------------------------------------------------------------------------------
# xlsx, header on row 1, delta deliveries: filings of the rooms of compounds completed in the last two years,
# buyers the rooms' owners, developers the world's enterprises; each delta file the day before's changes.

WQ = "zhujian.wangqian"
WQ_KINDS = ("bad_check_digit", "legacy_15_digit", "fullwidth_digits", "missing_required", "bad_date",
            "bad_division", "bad_uscc", "wrong_code", "bad_phone", "unresolvable_address")
ID_KINDS = {"bad_check_digit", "legacy_15_digit", "fullwidth_digits"}
WQ_DAYS = 2


@pytest.fixture(scope="module")
def wq_city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("wangqian"), [WQ], persons=3000,
                                               days=WQ_DAYS)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def wq_damaged(tmp_path_factory):
    out, summary, contracts = df.simulate_with(
        tmp_path_factory.mktemp("wangqian_bad"), [WQ], persons=3000, days=1,
        rates={WQ: {k: 0.08 for k in WQ_KINDS} | {"address_variant": 0.2, "duplicate": 0.05}})
    return out, summary, contracts, df.truth(out)


def _wq_frames(city):
    """(day, delivered frame, the day's truth) for the full load and every delta day."""
    out, summary, contracts, records = city
    for day in range(len(summary["feeds"][WQ]["days"])):
        frame, _ = df.delivery(out, summary, contracts[WQ], day)
        yield day, frame, df.day_truth(records, WQ, day)


def test_wangqian_plain_xlsx_read_by_the_pipeline(wq_city):
    """Header on row 1 of sheet 网签备案, no title; every row read without a bad row, one truth row each."""
    out, summary, contracts, records = wq_city
    c = contracts[WQ]
    assert c.delivery.mode == "delta" and c.status == "active"
    assert [d["path"] for d in summary["feeds"][WQ]["days"]] == [
        f"zhujian/wangqian/wangqian_{df.as_of_date() + dt.timedelta(days=d):%Y%m%d}.xlsx" for d in range(WQ_DAYS + 1)]
    ws = load_workbook(out / "landing" / summary["feeds"][WQ]["path"])[c.delivery.sheet]
    first = next(ws.iter_rows(values_only=True))
    assert list(first) == [col.source for col in c.columns]
    for day, frame, tr in _wq_frames(wq_city):
        assert sorted(frame.index) == sorted(tr.index) and min(frame.index, default=2) == 2
    assert len(df.day_truth(records, WQ)) > 100


@pytest.mark.parametrize("which", ["wq_city", "wq_damaged"])
def test_wangqian_truth_agrees_with_the_rules(which, request, monkeypatch):
    from expectations import rules
    from tests.simulator import test_truth_agrees_with_rules as judge

    # draft_feeds judges the core rules and a few extras; the credit code is judged here the same way
    monkeypatch.setitem(df._EXTRA, "gb32100_uscc", lambda frame, rule: rules.gb32100_uscc(frame[rule.column]))
    city = request.getfixturevalue(which)
    out, summary, contracts, records = city
    keys = df.register(out, summary, contracts)
    checked = 0
    for day, frame, tr in _wq_frames(city):
        # each file judged as of the day it arrives (the pipeline's load_date): a re-signing sent on day 2 was
        # signed the day after the as-of date, in the future only for a judge still at the as-of date
        monkeypatch.setattr(judge, "AS_OF", df.as_of_date() + dt.timedelta(days=day))
        checked += df.assert_truth_matches_rules(frame, contracts[WQ], tr, keys)
    assert checked > 100
    if which == "wq_damaged":  # every kind showed up and broke its rule
        counts = df.defect_counts(df.day_truth(records, WQ))
        assert set(WQ_KINDS) | {"address_variant", "duplicate"} <= set(counts), counts


def test_wangqian_default_rates_and_validity(wq_city):
    out, summary, contracts, records = wq_city
    tr = df.day_truth(records, WQ)
    df.assert_rates(tr, default_config()[WQ].rates, summary["grids"])
    assert 0.88 < tr.is_valid.mean() < 0.97


def test_wangqian_high_rates_near_configured(wq_damaged):
    out, summary, contracts, records = wq_damaged
    tr = df.day_truth(records, WQ)
    rates = {k: 0.08 for k in WQ_KINDS} | {"address_variant": 0.2}
    # counted on the rows as drawn: a duplicate copy carries its original's defects too
    df.assert_rates(tr[~tr.defects.map(lambda d: "duplicate" in d)], rates, summary["grids"])
    df.assert_rates(tr, {"duplicate": 0.05}, summary["grids"])


def test_wangqian_rooms_of_new_compounds_bought_by_their_owners(wq_city):
    """Filings are for the rooms of compounds completed in the last two years (never a room whose register
    record is damaged); the buyer is the room's owner, with the owner's real ID number — valid by
    python-stdnum exactly where no ID defect was put — and the address is the room's standard address."""
    from stdnum.cn import ric

    from simulator.feeds.zhujian import built_year

    out, summary, contracts, records = wq_city
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet").set_index("house_id")
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    fangwu = records[(records.contract_id == "zhujian.fangwu") & (records.day == 0)]
    damaged = set(fangwu[fangwu.defects.map(lambda d: bool(set(d) - {"duplicate"}))].entity_key)
    new_rooms = set()
    for _, g in houses.reset_index().groupby(["division_code", "street", "door_number", "compound"]):
        if built_year(f"XQ{g.house_id.min()[1:]}", df.as_of_date()) >= df.as_of_date().year - 1:
            new_rooms |= set(g.house_id)
    frame, _ = df.delivery(out, summary, contracts[WQ])
    tr = df.day_truth(records, WQ)
    filed = set(tr.entity_key)
    assert filed <= new_rooms - damaged
    assert len(filed) >= 0.95 * len(new_rooms - damaged) > 50  # only owners too young to sign are missing
    checked = 0
    for day, frame, tr in _wq_frames(wq_city):
        for row in frame.index:
            house = houses.loc[tr.at[row, "entity_key"]]
            owner = persons.loc[house.owner_person_key]
            kinds = set(tr.at[row, "defects"])
            value = frame.at[row, "buyer_id_number"]
            # stdnum reads full-width digits as digits: the standard's characters are half-width
            assert (value.isascii() and ric.is_valid(value)) == (not kinds & ID_KINDS), (row, value, kinds)
            if not kinds & ID_KINDS:
                assert value == owner.id_number
            if "missing_required" not in kinds:
                assert frame.at[row, "buyer_name"] == owner["name"] and frame.at[row, "project"] == house.compound
            if not kinds & {"address_variant", "unresolvable_address"}:
                assert frame.at[row, "house_address"] == house.address
            if "bad_division" not in kinds:
                assert frame.at[row, "division_code"] == house.division_code
            checked += 1
    assert checked > 100


def test_wangqian_developers_are_world_enterprises(wq_city):
    """One developer per project, a 存续 enterprise of the world (房地产业 where the city has any), its code
    valid by python-stdnum exactly where no bad_uscc was put."""
    out, summary, contracts, records = wq_city
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    live = orgs[(orgs.category == "enterprise") & (orgs.status == "存续")]
    estate = set(live[live.industry == "房地产业"].uscc)
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet").set_index("house_id")
    per_project: dict[tuple, set] = {}
    for day, frame, tr in _wq_frames(wq_city):
        for row in frame.index:
            code, kinds = frame.at[row, "developer_uscc"], set(tr.at[row, "defects"])
            assert (code.isascii() and stdnum_uscc.is_valid(code)) == ("bad_uscc" not in kinds), (row, code, kinds)
            if "bad_uscc" not in kinds:
                assert code in (estate or set(live.uscc))
                h = houses.loc[tr.at[row, "entity_key"]]
                per_project.setdefault((h.division_code, h.street, h.door_number, h.compound), set()).add(code)
    assert per_project and all(len(codes) == 1 for codes in per_project.values())


def test_wangqian_delta_days_carry_only_the_days_changes(wq_city):
    """Day 0 holds every contract once, all updated before the as-of date. A delta file (dated D) holds only
    contracts filed, amended or cancelled on the day before D: each with that day's update time, later than
    the version sent before; a new 备案号 is a re-signing by the same buyer of a contract cancelled that day."""
    out, summary, contracts, records = wq_city
    as_of = df.as_of_date()
    seen: dict[str, dict] = {}
    changes = 0
    for day, frame, tr in _wq_frames(wq_city):
        rows = frame[[("duplicate" not in tr.at[r, "defects"]) for r in frame.index]]
        assert rows.contract_no.is_unique
        stamps = pd.to_datetime(rows.updated_at, format="%Y-%m-%d %H:%M:%S")
        if day == 0:
            assert (stamps < pd.Timestamp(as_of)).all()
            assert {"已备案", "已变更", "已注销"} <= set(rows.status)
            seen = {r.contract_no: r for r in rows.itertuples()}
            continue
        the_day = as_of + dt.timedelta(days=day - 1)
        assert (stamps.dt.date == the_day).all()
        changes += len(rows)
        room = {row: tr.at[row, "entity_key"] for row in rows.index}
        for r in rows.itertuples():
            kinds = set(tr.at[r.Index, "defects"])
            before = seen.get(r.contract_no)
            if before is None:  # a re-signing: the room's previous contract was cancelled in the same file
                assert "wrong_code" in kinds or r.status == "已备案"
                assert "bad_date" in kinds or r.signed_date == the_day.isoformat()
                assert any(room[o.Index] == room[r.Index] and o.contract_no in seen for o in rows.itertuples())
            else:
                assert r.updated_at > before.updated_at
                assert "wrong_code" in kinds or r.status in ("已变更", "已注销")
        seen |= {r.contract_no: r for r in rows.itertuples()}
    assert changes > 0
