"""住建 物业小区 (xlsx with a title row): the city's compounds exactly as its rooms and standard addresses name
them, 物业服务企业 from the world's enterprises, truth agreeing with the rules."""

from __future__ import annotations

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


def test_same_seed_same_bytes(city, tmp_path):
    out, summary, contracts, _ = city
    again, summary2, _ = df.simulate_with(tmp_path, [CID], persons=3000, days=1)
    for day in (0, 1):
        rel = summary["feeds"][CID]["days"][day]["path"]
        assert (out / "landing" / rel).read_bytes() == (again / "landing" / rel).read_bytes()
