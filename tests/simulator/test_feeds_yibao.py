"""医保局 医保参保 over the simulator's REST API (its own envelope ``data.list``): residents enrolled with the same
employment as 人社, newborns of the world's vital changes on delta days; pulled by the pipeline and judged."""

from __future__ import annotations

import pandas as pd
import pytest
from stdnum.cn import ric

from tests.simulator.draft_feeds import simulate_with, truth
from tests.simulator.test_feeds_chengguan import pages, pull_each_day
from tests.simulator.test_feeds_weijian import _Fertile
from tests.simulator.world_feeds import assert_api_truth_matches

import simulator.world as world_module

CID = "yibao.canbao"
KINDS = {"bad_check_digit": 0.08, "legacy_15_digit": 0.05, "fullwidth_digits": 0.05, "missing_required": 0.08,
         "bad_date": 0.08, "wrong_code": 0.08, "bad_phone": 0.08, "bad_division": 0.08}


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return simulate_with(tmp_path_factory.mktemp("yibao"), [CID], persons=2000)


def test_served_records_agree_with_the_truth(default, tmp_path):
    city, _summary, contracts = default
    frame = assert_api_truth_matches(city, contracts[CID], tmp_path)
    tr = truth(city).query("contract_id == @CID")
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet")
    assert 0.8 < len(frame) / len(persons) < 0.95  # nearly every registered resident, fewer floating ones
    ok = frame.id_number.map(lambda v: v.isascii() and ric.is_valid(v))
    hit = tr.defects.map(lambda d: bool({"bad_check_digit", "legacy_15_digit", "fullwidth_digits"} & set(d)))
    assert int(ok.sum()) == int((~hit).sum())
    assert set(frame[ok].id_number) <= set(persons.id_number)
    assert 0.88 < tr.is_valid.mean() < 0.97


def test_pages_in_its_envelope(default):
    city, _summary, contracts = default
    rows = pages(city, contracts[CID], 157)
    marks = [r["updt_time"] for r in rows]
    assert marks == sorted(marks) and len(rows) == len(truth(city).query("contract_id == @CID"))
    assert pages(city, contracts[CID], 500, marks[99]) == [r for r in rows if r["updt_time"] >= marks[99]]


def test_every_kind_breaks_exactly_its_rule(tmp_path):
    city, summary, contracts = simulate_with(tmp_path / "high", [CID], persons=1500, rates={CID: KINDS})
    assert_api_truth_matches(city, contracts[CID], tmp_path / "lake")
    tr = truth(city).query("contract_id == @CID")
    assert {k for d in tr.defects for k in d} == set(KINDS)
    for kind, rate in KINDS.items():
        assert abs(sum(kind in d for d in tr.defects) - rate * len(tr)) <= 0.3 * rate * len(tr) + summary["grids"] + 1


def test_delta_days_enrol_the_worlds_newborns(tmp_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(world_module, "WorldConfig", _Fertile)
        city, _summary, contracts = simulate_with(tmp_path / "days", [CID, "weijian.chusheng"], persons=1500, days=2)
    counts = pull_each_day(city, contracts[CID], tmp_path / "lake", 2)
    assert counts[1] > 0 and counts[2] > 0
    records = truth(city)
    newborns = set(records[(records.contract_id == CID) & (records.day > 0)].entity_key)
    certified = set(records[(records.contract_id == "weijian.chusheng") & (records.day > 0)].entity_key)
    assert certified and certified <= newborns  # the babies 卫健 certifies are enrolled the same day
