"""统计局 统计用区划代码: the world's divisions as a 12-digit reference table, defects exactly as the truth says."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, PERSONS, SEED
from tests.simulator.world_feeds import assert_truth_matches

RATES = {"tongji.quhua": {"bad_stats_code": 0.15, "wrong_code": 0.2, "missing_required": 0.1, "duplicate": 0.1}}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("tongji")
    return out, simulate(out, persons=PERSONS * 5, seed=SEED, as_of=AS_OF, rates=RATES)


def test_quhua_lists_the_worlds_divisions(city, contracts):
    out, summary = city
    frame = assert_truth_matches(out, contracts["tongji.quhua"])
    divisions = pd.read_parquet(out / "sim" / "truth" / "divisions.parquet")
    below_city = divisions[divisions.level.isin(["county", "township", "village"])]
    assert sorted(frame["code"]) == sorted(below_city["code"])
    assert set(frame["level"]) == {"3", "4", "5"} and set(frame["year"]) == {f"{AS_OF:%Y}"}


def test_quhua_defects_break_exactly_their_rules(damaged, contracts):
    out, summary = damaged
    assert_truth_matches(out, contracts["tongji.quhua"])
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    quhua = records[records.contract_id == "tongji.quhua"]
    kinds = {k for d in quhua.defects for k in d}
    assert {"bad_stats_code", "wrong_code", "duplicate"} <= kinds
    assert 0.3 < quhua.is_valid.mean() < 1
