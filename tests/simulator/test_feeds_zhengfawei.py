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
