"""Daily deltas: one dated delivery per day, changes in the truth, API versions per day, and a second
day's pull gets only the changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest

from ingest.readers.api_reader import Watermark, pull
from ingest.readers.csv_reader import read_csv
from simulator.api_server import DepartmentApiServer, Faults
from simulator.city import simulate
from tests.simulator.conftest import AS_OF, PERSONS, SEED

DAYS = 2
TOKEN = "t"


@pytest.fixture(scope="module")
def delta_city(tmp_path_factory):
    out = tmp_path_factory.mktemp("delta_city")
    return out, simulate(out, persons=PERSONS, seed=SEED, as_of=AS_OF, days=DAYS,
                         delivery_modes={"gongan.hukou": "delta"}, move_rate=0.01)


def _digest(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_one_dated_delivery_per_day(delta_city, contracts):
    out, summary = delta_city
    for cid in ("gongan.hukou", "gongan.liudong", "zhujian.fangwu"):
        days = summary["feeds"][cid]["days"]
        dates = [(AS_OF + dt.timedelta(days=d)).strftime("%Y%m%d") for d in range(DAYS + 1)]
        assert [d["path"].rsplit("_", 1)[1].split(".")[0] for d in days] == dates
        assert all((out / "landing" / d["path"]).is_file() for d in days)


def test_day_zero_is_the_full_load_unchanged(delta_city, city):
    """Planning deltas draws from its own stream: day 0's files are the days=0 city's, byte for byte."""
    out, summary = delta_city
    base, base_summary = city
    for cid in ("gongan.hukou", "gongan.liudong", "zhujian.fangwu"):
        assert _digest(out / "landing" / summary["feeds"][cid]["days"][0]["path"]) == \
            _digest(base / "landing" / base_summary["feeds"][cid]["path"])


def test_moves_are_in_the_truth_and_in_the_deliveries(delta_city, contracts):
    out, summary = delta_city
    changes = pd.read_parquet(out / "sim" / "truth" / "changes.parquet")
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet").set_index("house_id")
    assert set(changes.day) == {1, 2} and (changes.kind == "move").all()
    assert (changes.from_house_id != changes.to_house_id).all()
    assert houses.loc[changes.to_house_id, "is_vacant"].all()

    hukou = contracts["gongan.hukou"]
    for day in (1, 2):
        path = out / "landing" / summary["feeds"]["gongan.hukou"]["days"][day]["path"]
        batch = read_csv(path.read_bytes(), "x", encoding="gbk")
        moved = changes[(changes.day == day) & (changes.detail == "户籍")]
        ids = {persons.loc[k, "id_number"] for k in moved.entity_key}
        # delta mode: exactly the registered residents who moved that day (duplicates of them aside)
        sent = {r.values[hukou.column("id_number").source] for r in batch.rows}
        assert ids <= sent | {None} and len({r.values[hukou.column("updated_at").source] for r in batch.rows})
        for r in batch.rows:
            assert r.values[hukou.column("updated_at").source] >= f"{AS_OF + dt.timedelta(days=day - 1)}"

    # full mode: the floating register of day 2 carries the new registrations at the new address
    liudong = contracts["gongan.liudong"]
    path = out / "landing" / summary["feeds"]["gongan.liudong"]["days"][2]["path"]
    rows = read_csv(path.read_bytes(), "x", encoding="gbk").rows
    new = [r for r in rows if r.values[liudong.column("registration_id").source][8] == "9"]
    floating_moves = changes[changes.detail != "户籍"]
    assert len({r.values[liudong.column("registration_id").source] for r in new}) == len(floating_moves) > 0


def test_truth_records_each_day(delta_city):
    out, summary = delta_city
    rec = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    assert set(rec.day) == {0, 1, 2}
    for cid, feed in summary["feeds"].items():
        for d, day in enumerate(feed.get("days", [])):
            assert ((rec.contract_id == cid) & (rec.day == d)).sum() == day["records"]


def test_api_delta_versions_carry_later_update_times(delta_city):
    out, _ = delta_city
    rec = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    hotline = rec[rec.contract_id == "shuju.hotline"]
    lines = (out / "sim" / "api" / "shuju" / "workorders.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(x) for x in lines]
    assert sum("_day" in r for r in rows) == (hotline.day > 0).sum()
    assert all(r["gxsj"] >= AS_OF.isoformat() for r in rows if "_day" in r)
    assert all(r["gxsj"] < AS_OF.isoformat() for r in rows if "_day" not in r)


def _registry_city(tmp_path) -> tuple:
    """A store with versions published on days 0, 1 and 2, registered under its own path."""
    sim = tmp_path / "sim"
    (sim / "api" / "test").mkdir(parents=True)
    rows = [{"id": f"K{i:03d}", "ts": f"2026-11-{10 + i % 10:02d} 08:00:00", "v": "0"} for i in range(30)]
    rows += [{"id": "K001", "ts": "2026-11-21 09:00:00", "v": "1", "_day": 1},
             {"id": "K100", "ts": "2026-11-21 10:00:00", "v": "1", "_day": 1},
             {"id": "K001", "ts": "2026-11-22 09:00:00", "v": "2", "_day": 2},
             {"id": "K002", "ts": "2026-11-22 09:00:00", "v": "2", "_day": 2}]
    (sim / "api" / "test" / "things.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (sim / "api" / "registry.json").write_text(json.dumps({"days": 2, "endpoints": [
        {"contract_id": "test.things", "path": "/api/v2/things", "store": "api/test/things.jsonl",
         "watermark_field": "ts", "key_field": "id"}]}), encoding="utf-8")
    return sim


def test_api_serves_each_day_and_a_second_pull_gets_only_the_changes(tmp_path):
    sim = _registry_city(tmp_path)
    kw = dict(page_size=4, records_field="data.records", watermark_field="ts", key_field="id")
    with DepartmentApiServer(sim, token=TOKEN, faults=Faults.off(), day=0) as srv:
        assert srv.paths == ["/api/v2/things"] and srv.days == 2
        url = srv.base_url + "/api/v2/things"
        first, mark, _ = pull(url, TOKEN, since=Watermark(), **kw)
        assert len(first.rows) == 30 and {r.values["v"] for r in first.rows} == {"0"}
        srv.day = 1
        second, mark, _ = pull(url, TOKEN, since=mark, **kw)
        assert [(r.values["id"], r.values["v"]) for r in second.rows] == [("K001", "1"), ("K100", "1")]
        # the day can also be moved over HTTP, as a test harness outside Python would
        import requests

        r = requests.put(url.replace("/api/v2/things", "/_sim/day"), params={"day": 2},
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert r.status_code == 200 and srv.day == 2
        third, _, _ = pull(url, TOKEN, since=mark, **kw)
        assert [(r.values["id"], r.values["v"]) for r in third.rows] == [("K001", "2"), ("K002", "2")]
        # a full pull on day 2 serves the latest version of each key, once
        full, _, _ = pull(url, TOKEN, since=Watermark(), **kw)
        assert len(full.rows) == 31 and {r.values["v"] for r in full.rows if r.values["id"] == "K001"} == {"2"}
    with DepartmentApiServer(sim, token=TOKEN, faults=Faults.off()) as srv:
        assert srv.day == 2  # default: the last simulated day


def test_deltas_are_reproducible(delta_city, tmp_path):
    out, _ = delta_city
    again = tmp_path / "again"
    simulate(again, persons=PERSONS, seed=SEED, as_of=AS_OF, days=DAYS, delivery_modes={"gongan.hukou": "delta"},
             move_rate=0.01)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all(_digest(out / f) == _digest(again / f) for f in files)
