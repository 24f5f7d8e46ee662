"""网信办 网络舆情 (JSON lines, delta): the world's online-opinion events, defects as the truth says."""

from __future__ import annotations

import pandas as pd

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, SEED
from tests.simulator.world_feeds import assert_truth_matches

RATES = {"wangxin.yuqing": {"bad_date": 0.1, "wrong_code": 0.1, "missing_required": 0.05, "bad_division": 0.05}}


def test_full_load_is_the_years_opinion_events(city, contracts):
    out, _ = city
    assert_truth_matches(out, contracts["wangxin.yuqing"])
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = records[records.contract_id == "wangxin.yuqing"]
    assert set(mine.entity_key) == set(events[events.kind == "opinion"].event_id)


def test_defects_break_exactly_their_rules(tmp_path, contracts):
    simulate(tmp_path, persons=20_000, seed=SEED, as_of=AS_OF, rates=RATES)
    assert_truth_matches(tmp_path, contracts["wangxin.yuqing"])
    records = pd.read_parquet(tmp_path / "sim" / "truth" / "records.parquet")
    mine = records[records.contract_id == "wangxin.yuqing"]
    assert len({k for d in mine.defects for k in d}) >= 3 and 0.5 < mine.is_valid.mean() < 1
