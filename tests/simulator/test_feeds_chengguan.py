"""城管局 数字城管案件 over the simulator's REST API: the world's urban events with their lifecycle, served
with a token, paged and incremental (``since=``), pulled by the pipeline's reader and judged by the rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import requests

import simulator.world as world_module
from ingest.load import ingest_api
from simulator.api_server import DepartmentApiServer, Faults
from simulator.world.config import WorldConfig
from tests.simulator.draft_feeds import simulate_with, truth
from tests.simulator.world_feeds import assert_api_truth_matches

CID = "chengguan.anjian"
TOKEN = "t0ken"
HIGH = {CID: {"bad_date": 0.1, "wrong_code": 0.1, "missing_required": 0.1, "bad_division": 0.1}}


@dataclasses.dataclass(frozen=True)
class Busy(WorldConfig):
    """A small city whose grid events and urban cases are frequent enough to change every day."""

    events: dict = dataclasses.field(default_factory=lambda: {"urban": {"per_person_year": 1.0},
                                                              "grid": {"per_person_year": 1.0}})


def busy_city(out: Path, ids: list[str], persons: int = 1500, days: int = 2):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(world_module, "WorldConfig", Busy)
        return simulate_with(out, ids, persons=persons, days=days)


def pull_each_day(city: Path, contract, lake: Path, days: int) -> list[int]:
    """The pipeline pulls day 0, then each delta day incrementally: each pull gets exactly that day's rows."""
    records = truth(city)
    mine = records[records.contract_id == contract.id]
    got = []
    with DepartmentApiServer(city / "sim", token=TOKEN, faults=Faults.off(), day=0) as srv:
        for day in range(days + 1):
            srv.day = day
            results = ingest_api(contract, lake, srv.base_url, TOKEN, backoff_s=0.01)
            read = sum(r.rows_read for r in results)
            assert read == sum(r.rows_written for r in results) + sum(r.rows_quarantined for r in results)
            assert read == int((mine.day == day).sum()), (day, read, int((mine.day == day).sum()))
            got.append(read)
    return got


def pages(city: Path, contract, page_size: int, since: str | None = None) -> list[dict]:
    """Every record through the raw API with the token, page by page."""
    path = contract.delivery.api_path
    rows: list[dict] = []
    with DepartmentApiServer(city / "sim", token=TOKEN, faults=Faults.off()) as srv:
        assert requests.get(srv.base_url + path, timeout=10).status_code == 401
        page = 1
        while True:
            params = {"page": page, "page_size": page_size, **({"since": since} if since else {})}
            doc = requests.get(srv.base_url + path, params=params, headers={"Authorization": f"Bearer {TOKEN}"},
                               timeout=10).json()
            records = doc
            for part in contract.delivery.records_field.split("."):
                records = records[part]
            rows += records
            if len(records) < page_size:
                return rows
            page += 1


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return simulate_with(tmp_path_factory.mktemp("chengguan"), [CID], persons=5000)


def test_served_cases_agree_with_the_truth(default, tmp_path):
    city, _summary, contracts = default
    frame = assert_api_truth_matches(city, contracts[CID], tmp_path)
    events = pd.read_parquet(city / "sim" / "truth" / "events.parquet")
    urban = events[events.kind == "urban"].set_index("event_id")
    assert sorted(frame.case_id) == sorted(urban.index)
    records = truth(city)
    tr = records[records.contract_id == CID].set_index("record_key")
    status = {"已上报": "立案", "已派遣": "派遣", "已办结": "结案", "已评价": "结案"}
    for r in frame.itertuples():
        e = urban.loc[r.case_id]
        if "wrong_code" not in tr.at[r.case_id, "defects"]:
            assert r.status == status[e.status]
        assert r.grid_code == e.grid_code and r.address == (e.address or "")
        assert (r.closed_at != "") == (e.closed_at is not None and not pd.isna(e.closed_at))
        assert r.updated_at >= r.reported_at or "bad_date" in tr.at[r.case_id, "defects"]
    assert 0.95 < tr.is_valid.mean() <= 1


def test_pages_and_since(default):
    city, _summary, contracts = default
    c = contracts[CID]
    everything = pages(city, c, 37)
    assert len(everything) == len(truth(city).query("contract_id == @CID"))
    marks = [r[c.delivery.watermark_field] for r in everything]
    assert marks == sorted(marks)
    since = marks[len(marks) // 2]
    assert pages(city, c, 1000, since) == [r for r in everything if r[c.delivery.watermark_field] >= since]


def test_every_kind_breaks_exactly_its_rule(tmp_path):
    city, _summary, contracts = simulate_with(tmp_path / "high", [CID], persons=5000, rates=HIGH)
    assert_api_truth_matches(city, contracts[CID], tmp_path / "lake")
    tr = truth(city).query("contract_id == @CID")
    assert {k for d in tr.defects for k in d} == set(HIGH[CID])
    for kind, rate in HIGH[CID].items():
        assert abs(sum(kind in d for d in tr.defects) - rate * len(tr)) <= 0.5 * rate * len(tr) + 2, kind


def test_delta_days_serve_the_days_lifecycle_steps(tmp_path):
    city, _summary, contracts = busy_city(tmp_path / "days", [CID])
    counts = pull_each_day(city, contracts[CID], tmp_path / "lake", 2)
    assert counts[1] > 0 and counts[2] > 0
    records = truth(city).query("contract_id == @CID")
    first, later = set(records[records.day == 0].record_key), records[records.day > 0]
    # a delta day re-sends cases moving on (结案 after 立案) and adds the day's new ones
    assert set(later.record_key) & first and set(later.record_key) - first
