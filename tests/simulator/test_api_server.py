"""The 12345 API over real HTTP: auth, parameters, paging and the since filter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from simulator.api_server import DepartmentApiServer, Faults

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def server(city):
    out, _ = city
    with DepartmentApiServer(out / "sim", token=TOKEN, faults=Faults.off()) as srv:
        yield srv


@pytest.fixture(scope="module")
def store(city) -> list[dict]:
    out, _ = city
    lines = (out / "sim" / "api" / "shuju" / "workorders.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines]


def _get(server, token=TOKEN, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(server.workorders_url, params=params, headers=headers, timeout=10)


def test_base_url_is_loopback_with_a_real_port(server):
    assert server.base_url.startswith("http://127.0.0.1:") and server.port > 0


@pytest.mark.parametrize("token", [None, "wrong"])
def test_401_without_the_token(server, token):
    r = _get(server, token=token)
    assert r.status_code == 401
    assert r.json()["code"] == 401 and r.json()["data"] is None


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"page_size": "0"}, {"page_size": "100000"},
                                    {"since": "2026-13-01 00:00:00"}, {"since": "yesterday"}])
def test_400_on_bad_parameters(server, params):
    r = _get(server, **params)
    assert r.status_code == 400, params
    assert r.json()["code"] == 400


def test_404_elsewhere(server):
    r = requests.get(server.base_url + "/api/v1/nothing", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert r.status_code == 404


def test_paging_covers_every_record_exactly_once_in_order(server, store, records):
    seen = []
    page = 1
    while True:
        r = _get(server, page=page, page_size=7)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("application/json")
        body = r.json()
        assert body["code"] == 0 and body["msg"] == "success"
        data = body["data"]
        assert data["total"] == len(store) and data["page"] == page and data["page_size"] == 7
        if not data["records"]:
            break
        seen.extend(data["records"])
        page += 1
    ids = [o["gdbh"] for o in seen]
    assert len(ids) == len(set(ids)) == len(store)
    assert set(ids) == set(records[records.contract_id == "shuju.hotline"].record_key)
    assert [(o["gxsj"], o["gdbh"]) for o in seen] == sorted((o["gxsj"], o["gdbh"]) for o in seen)
    assert set(seen[0]) == {"gdbh", "ldsj", "ldrxm", "lxdh", "sqlb", "sqnr", "fsdz", "xzqh", "cbdw", "pdsj", "bjsj",
                            "blzt", "myd", "gxsj"}


def test_since_filters_on_the_update_time(server, store):
    since = store[len(store) // 2]["gxsj"]
    expected = [o["gdbh"] for o in store if o["gxsj"] >= since]
    r = _get(server, since=since, page_size=5000)
    data = r.json()["data"]
    assert data["total"] == len(expected)
    assert [o["gdbh"] for o in data["records"]] == expected
    assert all(o["gxsj"] >= since for o in data["records"])
    assert _get(server, since="2099-01-01 00:00:00").json()["data"] == {
        "total": 0, "page": 1, "page_size": 500, "records": []}


def test_json_is_utf8_chinese(server):
    r = _get(server, page_size=1)
    assert "已" in r.content.decode("utf-8")  # not \\u escapes


def test_standalone_module(city, tmp_path):
    out, _ = city
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "simulator.api_server", "--sim-dir", str(out / "sim"),
                             "--token", TOKEN, "--port", str(port), "--no-faults"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = f"http://127.0.0.1:{port}/api/v1/workorders"
        for _ in range(100):
            try:
                r = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("standalone server did not start")
        assert r.status_code == 200 and r.json()["data"]["total"] > 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
