"""政法委 网格 / 网格员 over the simulator's REST API: the world's grids and workers, defects as the truth says."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, SEED
from tests.simulator.world_feeds import assert_api_truth_matches

RATES = {"zhengfawei.wangge": {"bad_stats_code": 0.1, "bad_division": 0.1, "wrong_code": 0.1, "missing_required": 0.1},
         "zhengfawei.wanggeyuan": {"bad_check_digit": 0.1, "legacy_15_digit": 0.05, "fullwidth_digits": 0.05,
                                   "bad_phone": 0.1, "bad_date": 0.1, "wrong_code": 0.1, "missing_required": 0.1}}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("zhengfawei")
    return out, simulate(out, persons=30_000, seed=SEED, as_of=AS_OF, rates=RATES)


def test_wangge_serves_the_worlds_grids(city, contracts, tmp_path):
    out, _ = city
    frame = assert_api_truth_matches(out, contracts["zhengfawei.wangge"], tmp_path)
    grids = pd.read_parquet(out / "sim" / "truth" / "grids.parquet")
    assert sorted(frame["grid_code"]) == sorted(grids["grid_code"])


def test_wanggeyuan_serves_the_worlds_workers(city, contracts, tmp_path):
    out, _ = city
    frame = assert_api_truth_matches(out, contracts["zhengfawei.wanggeyuan"], tmp_path)
    workers = pd.read_parquet(out / "sim" / "truth" / "grid_workers.parquet")
    assert sorted(frame["worker_id"]) == sorted(workers["worker_id"])


@pytest.mark.parametrize("cid", ["zhengfawei.wangge", "zhengfawei.wanggeyuan"])
def test_defects_break_exactly_their_rules(damaged, contracts, tmp_path, cid):
    out, _ = damaged
    assert_api_truth_matches(out, contracts[cid], tmp_path)
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = records[records.contract_id == cid]
    assert len({k for d in mine.defects for k in d}) >= 3
    assert 0.3 < mine.is_valid.mean() < 1


# ---- 网格事件 -----------------------------------------------------------------------------------------------

SHIJIAN = "zhengfawei.wangge_shijian"
SHIJIAN_HIGH = {SHIJIAN: {"bad_date": 0.1, "wrong_code": 0.1, "missing_required": 0.1, "bad_phone": 0.1,
                          "bad_division": 0.1}}


@pytest.fixture(scope="module")
def shijian(tmp_path_factory):
    from tests.simulator.draft_feeds import simulate_with

    return simulate_with(tmp_path_factory.mktemp("shijian"), [SHIJIAN], persons=5000)


def test_grid_events_are_the_worlds_reported_by_the_grids_workers(shijian, tmp_path):
    city, _summary, contracts = shijian
    frame = assert_api_truth_matches(city, contracts[SHIJIAN], tmp_path)
    events = pd.read_parquet(city / "sim" / "truth" / "events.parquet")
    grid_events = events[events.kind == "grid"].set_index("event_id")
    assert sorted(frame.event_id) == sorted(grid_events.index)
    workers = pd.read_parquet(city / "sim" / "truth" / "grid_workers.parquet").set_index("worker_id")
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet")
    reported = frame[frame.reporter_id != ""]
    assert len(reported) > 0.4 * len(frame)
    assert (workers.loc[reported.reporter_id].grid_code.to_numpy() == reported.grid_code.to_numpy()).all()
    parties = frame[frame.party_name != ""]
    assert len(parties) and set(parties.party_name) <= set(persons.name)
    for r in frame.itertuples():
        e = grid_events.loc[r.event_id]
        assert r.status == e.status and r.grid_code == e.grid_code
        assert (r.satisfaction != "") == bool(pd.notna(e.satisfaction))
    records = pd.read_parquet(city / "sim" / "truth" / "records.parquet")
    assert 0.95 < records[records.contract_id == SHIJIAN].is_valid.mean() <= 1


def test_grid_events_every_kind_breaks_exactly_its_rule(tmp_path):
    from tests.simulator.draft_feeds import simulate_with

    city, _summary, contracts = simulate_with(tmp_path / "high", [SHIJIAN], persons=3000, rates=SHIJIAN_HIGH)
    assert_api_truth_matches(city, contracts[SHIJIAN], tmp_path / "lake")
    records = pd.read_parquet(city / "sim" / "truth" / "records.parquet")
    tr = records[records.contract_id == SHIJIAN]
    assert {k for d in tr.defects for k in d} == set(SHIJIAN_HIGH[SHIJIAN])


def test_grid_events_pages_since_and_delta_days(shijian, tmp_path):
    from tests.simulator.test_feeds_chengguan import busy_city, pages, pull_each_day

    city, _summary, contracts = shijian
    c = contracts[SHIJIAN]
    everything = pages(city, c, 23)
    marks = [r["gxsj"] for r in everything]
    assert marks == sorted(marks) and len(everything) > 50
    assert pages(city, c, 500, marks[40]) == [r for r in everything if r["gxsj"] >= marks[40]]
    city, _summary, contracts = busy_city(tmp_path / "days", [SHIJIAN])
    counts = pull_each_day(city, contracts[SHIJIAN], tmp_path / "lake", 2)
    assert counts[1] > 0 and counts[2] > 0


def test_wangge_and_wanggeyuan_bytes_unchanged_by_grid_events(city, tmp_path):
    from tests.simulator.draft_feeds import simulate_with

    other, _s, _c = simulate_with(tmp_path / "with", [SHIJIAN], persons=1000)
    out, _ = city
    for feed in ("wangge", "wanggeyuan"):
        assert (other / "sim" / "api" / "zhengfawei" / f"{feed}.jsonl").read_bytes() == \
            (out / "sim" / "api" / "zhengfawei" / f"{feed}.jsonl").read_bytes()
