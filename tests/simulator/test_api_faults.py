"""API faults (429, 5xx, slow answers) at the configured rates, and the pipeline's puller still gets every
record exactly once; the registry serves every API feed; the served day can be moved."""

from __future__ import annotations

import json

import pytest
import requests

from ingest.readers.api_reader import Watermark, pull
from simulator.api_server import DepartmentApiServer, Faults

TOKEN = "t0ken"


def _store(out) -> list[dict]:
    lines = (out / "sim" / "api" / "shuju" / "workorders.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines]


def test_registry_lists_the_api_feeds(city):
    out, _ = city
    reg = json.loads((out / "sim" / "api" / "registry.json").read_text(encoding="utf-8"))
    by_id = {e["contract_id"]: e for e in reg["endpoints"]}
    assert by_id["shuju.hotline"] == {"contract_id": "shuju.hotline", "path": "/api/v1/workorders",
                                      "store": "api/shuju/workorders.jsonl", "watermark_field": "gxsj",
                                      "key_field": "gdbh"}
    with DepartmentApiServer(out / "sim", token=TOKEN, faults=Faults.off()) as srv:
        assert sorted(srv.paths) == sorted(e["path"] for e in reg["endpoints"]) and srv.day == 0


def test_fault_rates_and_retry_after(city):
    out, _ = city
    faults = Faults(throttle_rate=0.10, error_rate=0.10, slow_rate=0.05, slow_seconds=0.01, seed=3, max_in_a_row=99)
    statuses = []
    with DepartmentApiServer(out / "sim", token=TOKEN, faults=faults) as srv:
        for _ in range(400):
            r = requests.get(srv.workorders_url, params={"page_size": 1},
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert r.headers["Retry-After"] == "1"
        stats = srv.stats
    n = len(statuses)
    assert stats["requests"] == n
    assert statuses.count(429) == stats["429"] and 0.06 < stats["429"] / n < 0.14
    assert sum(s >= 500 for s in statuses) == stats["5xx"] and 0.06 < stats["5xx"] / n < 0.14
    assert {s for s in statuses if s >= 500} == {500, 502, 503}
    assert 0.02 < stats["slow"] / n < 0.09


def test_faults_are_reproducible_from_the_seed(city):
    out, _ = city
    runs = []
    for _ in range(2):
        with DepartmentApiServer(out / "sim", token=TOKEN, faults=Faults(throttle_rate=0.2, error_rate=0.2, seed=11, max_in_a_row=99)) as srv:
            runs.append([requests.get(srv.workorders_url, headers={"Authorization": f"Bearer {TOKEN}"},
                                      timeout=10).status_code for _ in range(50)])
    assert runs[0] == runs[1] and set(runs[0]) - {200}


def test_pull_gets_every_record_exactly_once_through_faults_and_timeouts(city):
    out, _ = city
    store = _store(out)
    faults = Faults(throttle_rate=0.15, error_rate=0.15, slow_rate=0.10, slow_seconds=0.6, seed=5, max_in_a_row=2)
    with DepartmentApiServer(out / "sim", token=TOKEN, faults=faults) as srv:
        batch, mark, resent = pull(srv.workorders_url, TOKEN, page_size=7, records_field="data.records",
                                   watermark_field="gxsj", key_field="gdbh", since=Watermark(),
                                   backoff_s=0.01, timeout_s=0.3)
        stats = srv.stats
    assert stats["429"] and stats["5xx"] and stats["slow"]  # every kind happened (slow ones timed out)
    keys = [r.values["gdbh"] for r in batch.rows]
    assert len(keys) == len(set(keys)) == len(store)
    assert set(keys) == {o["gdbh"] for o in store}
    assert mark.value == max(o["gxsj"] for o in store)


def test_faults_off_and_from_env(monkeypatch):
    assert not Faults.off().enabled
    monkeypatch.setenv("CITYLAKE_SIM_API_FAULTS", "off")
    assert not Faults.from_env().enabled
    monkeypatch.setenv("CITYLAKE_SIM_API_FAULTS", "429=0.05,5xx=0.02,slow=0,rps=20,seed=7")
    f = Faults.from_env()
    assert (f.throttle_rate, f.error_rate, f.slow_rate, f.max_requests_per_s, f.seed) == (0.05, 0.02, 0.0, 20.0, 7)
    monkeypatch.setenv("CITYLAKE_SIM_API_FAULTS", "bogus=1")
    with pytest.raises(ValueError, match="bogus"):
        Faults.from_env()
    assert Faults() == Faults.from_env("")  # modest defaults


def test_token_bucket_rate_limit(city):
    out, _ = city
    with DepartmentApiServer(out / "sim", token=TOKEN,
                             faults=Faults(throttle_rate=0, error_rate=0, slow_rate=0, max_requests_per_s=5,
                                           max_in_a_row=99)) as srv:
        codes = [requests.get(srv.workorders_url, headers={"Authorization": f"Bearer {TOKEN}"},
                              timeout=10).status_code for _ in range(30)]
        assert srv.stats["rate_limited"] == codes.count(429) > 10
