"""雪亮工程 点位目录 (XML): the world's cameras with valid GB/T 28181 ids except where a defect is injected."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, SEED
from tests.simulator.world_feeds import assert_api_truth_matches, assert_truth_matches

RATES = {"xueliang.shexiangtou": {"bad_device_id": 0.1, "bad_division": 0.05, "wrong_code": 0.05, "bad_date": 0.05,
                                  "missing_required": 0.05, "duplicate": 0.05},
         "xueliang.zaixian": {"bad_device_id": 0.1, "wrong_code": 0.1},
         "xueliang.zhuapai": {"bad_device_id": 0.05, "bad_date": 0.05}}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("xueliang")
    return out, simulate(out, persons=10_000, seed=SEED, as_of=AS_OF, rates=RATES)


def test_catalogue_lists_the_worlds_cameras(city, contracts):
    out, _ = city
    frame = assert_truth_matches(out, contracts["xueliang.shexiangtou"])
    cameras = pd.read_parquet(out / "sim" / "truth" / "cameras.parquet")
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    assert set(records[records.contract_id == "xueliang.shexiangtou"].entity_key) == set(cameras["device_id"])
    status = pd.read_parquet(out / "sim" / "truth" / "camera_status.parquet").set_index("device_id")["status"]
    on = frame[frame.device_id.isin(status.index)]
    assert (on["status"] == on["device_id"].map(status).map({"在线": "ON", "离线": "OFF"})).all()


def test_device_ids_valid_exactly_where_no_defect_was_injected(damaged, contracts):
    """Checked with python-stdnum's neighbour rules too: 20 digits; and with the pipeline's 28181 rule."""
    from expectations import rules

    out, _ = damaged
    frame = assert_truth_matches(out, contracts["xueliang.shexiangtou"])
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = records[(records.contract_id == "xueliang.shexiangtou")].set_index("row_number")
    hit = mine["defects"].map(lambda d: "bad_device_id" in d)
    valid = rules.gbt28181_device_id(frame["device_id"].astype("string")).to_numpy()
    rows = frame.index.get_level_values(1)
    assert (valid == ~hit.reindex(rows).to_numpy()).all()
    assert hit.sum() > 0 and 0.5 < mine.is_valid.mean() < 1


@pytest.mark.parametrize("cid", ["xueliang.zaixian", "xueliang.zhuapai"])
def test_status_and_captures_over_the_api(city, contracts, tmp_path, cid):
    out, _ = city
    frame = assert_api_truth_matches(out, contracts[cid], tmp_path)
    table = "camera_status" if cid == "xueliang.zaixian" else "camera_captures"
    if table == "camera_status":
        assert len(frame) == len(pd.read_parquet(out / "sim" / "truth" / "camera_status.parquet"))
    else:
        assert len(frame) > 0 and (frame["stat_hour"].str[:8] == f"{AS_OF - dt.timedelta(days=1):%Y%m%d}").all()


@pytest.mark.parametrize("cid", ["xueliang.zaixian", "xueliang.zhuapai"])
def test_api_defects_break_exactly_their_rules(damaged, contracts, tmp_path, cid):
    out, _ = damaged
    assert_api_truth_matches(out, contracts[cid], tmp_path)


def test_delta_days_serve_each_days_status(tmp_path, contracts):
    out = tmp_path / "city"
    simulate(out, persons=300, seed=SEED, as_of=AS_OF, days=2)
    assert_api_truth_matches(out, contracts["xueliang.zaixian"], tmp_path / "lake", judge=False)
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    days = records[records.contract_id == "xueliang.zaixian"].groupby("day").size()
    assert list(days.index) == [0, 1, 2] and days.nunique() == 1
