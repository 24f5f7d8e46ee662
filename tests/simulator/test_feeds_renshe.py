"""人社局 社保参保 and 就业登记 over the simulator's REST API (compact YYYYMMDDHHMMSS watermarks): residents of
the city, served with a token, paged and incremental, pulled by the pipeline's reader and judged by the rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from stdnum.cn import ric

from tests.simulator.draft_feeds import simulate_with, truth
from tests.simulator.test_feeds_chengguan import pages, pull_each_day
from tests.simulator.world_feeds import assert_api_truth_matches

IDS = ["renshe.canbao", "renshe.jiuye"]
KINDS = {"bad_check_digit": 0.08, "legacy_15_digit": 0.05, "fullwidth_digits": 0.05, "missing_required": 0.08,
         "bad_date": 0.08, "wrong_code": 0.08, "bad_phone": 0.08, "bad_division": 0.08}
HIGH = {cid: KINDS for cid in IDS}
AS_OF = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return simulate_with(tmp_path_factory.mktemp("renshe"), IDS, persons=2000, days=2)


@pytest.mark.parametrize("cid", IDS)
def test_served_records_agree_with_the_truth_and_deltas_are_the_days_changes(default, tmp_path, cid):
    city, _summary, contracts = default
    counts = pull_each_day(city, contracts[cid], tmp_path / "days", 2)
    assert counts[0] > 100
    records = truth(city)
    mine = records[records.contract_id == cid]
    assert counts[1] + counts[2] > 0 and sum(counts) == len(mine)
    # a delta day's rows carry the day before's update time (the watermark an incremental pull moves past)
    for day in (1, 2):
        served = mine[mine.day == day]
        assert len(served) < 0.05 * counts[0]
    assert 0.85 < mine[mine.day == 0].is_valid.mean() < 0.97


@pytest.mark.parametrize("cid", IDS)
def test_full_load_rules_match_the_truth(tmp_path, cid):
    city, _summary, contracts = simulate_with(tmp_path / "one", [cid], persons=2000)
    frame = assert_api_truth_matches(city, contracts[cid], tmp_path / "lake")
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet").set_index("id_number")
    tr = truth(city).query("contract_id == @cid")
    ids_ok = frame.id_number.map(lambda v: v.isascii() and ric.is_valid(v))  # stdnum folds full-width digits
    hit = tr.defects.map(lambda d: bool({"bad_check_digit", "legacy_15_digit", "fullwidth_digits"} & set(d)))
    assert int(ids_ok.sum()) == int((~hit).sum())
    clean = frame[ids_ok]
    assert set(clean.id_number) <= set(persons.index)  # residents, with their true numbers
    born = pd.to_datetime(persons.loc[clean.id_number].birth_date)
    assert ((pd.Timestamp(AS_OF) - born).dt.days >= 16 * 365).all()  # insured and registered from 16 on


def test_every_kind_breaks_exactly_its_rule(tmp_path):
    city, summary, contracts = simulate_with(tmp_path / "high", IDS, persons=1500, rates=HIGH)
    for cid in IDS:
        assert_api_truth_matches(city, contracts[cid], tmp_path / f"lake_{cid}")
        tr = truth(city).query("contract_id == @cid")
        assert {k for d in tr.defects for k in d} == set(KINDS)
        for kind, rate in KINDS.items():
            count = sum(kind in d for d in tr.defects)
            assert abs(count - rate * len(tr)) <= 0.3 * rate * len(tr) + summary["grids"] + 1, (cid, kind)


def test_canbao_covers_the_working_population_and_pages(default):
    city, _summary, contracts = default
    c = contracts["renshe.canbao"]
    rows = pages(city, c, 211)
    marks = [r["gxsj"] for r in rows]
    assert marks == sorted(marks) and all(len(m) == 14 for m in marks)
    assert pages(city, c, 1000, marks[100]) == [r for r in rows if r["gxsj"] >= marks[100]]
    served = pd.DataFrame(rows)
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet")
    age = (pd.Timestamp(AS_OF) - pd.to_datetime(persons.birth_date)).dt.days / 365.25
    working = persons[(age >= 18) & (age < 55) & (persons.population_type == "户籍")]
    insured = set(served[served.xzlx.isin(["110", "120", "170"])].grbh.str[6:].astype(int))
    share = working.person_key.str[1:].astype(int).isin(insured).mean()
    assert 0.7 < share < 0.99
