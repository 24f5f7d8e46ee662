"""公安 110 警情 (GBK CSV, delta): the world's police incidents of the year, then each day's updates."""

from __future__ import annotations

import pandas as pd

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, SEED
from tests.simulator.world_feeds import assert_truth_matches


def test_full_load_is_the_years_incidents(city, contracts):
    out, _ = city
    frame = assert_truth_matches(out, contracts["gongan.jingqing"])
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    police = events[events.kind == "police"]
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = records[records.contract_id == "gongan.jingqing"]
    assert set(mine.entity_key) == set(police.event_id)
    assert len(frame) == len(mine) and 0.9 < mine.is_valid.mean() <= 1


def test_delta_days_send_the_days_updates(tmp_path):
    simulate(tmp_path, persons=2000, seed=SEED, as_of=AS_OF, days=1)
    files = sorted((tmp_path / "landing" / "gongan" / "jingqing").glob("*.csv"))
    assert [f.name for f in files] == [f"jingqing_{AS_OF:%Y%m%d}.csv",
                                       f"jingqing_{AS_OF + pd.Timedelta(days=1):%Y%m%d}.csv"]
    records = pd.read_parquet(tmp_path / "sim" / "truth" / "records.parquet")
    day1 = records[(records.contract_id == "gongan.jingqing") & (records.day == 1)]
    assert 0 < len(day1) < len(records[(records.contract_id == "gongan.jingqing") & (records.day == 0)])
