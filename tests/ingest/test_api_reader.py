"""The REST connector against a real HTTP server on loopback that misbehaves on purpose."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ingest.load import ingest_api
from ingest.readers.api_reader import Watermark, pull
from ingest.records import LoadError

RECORDS = [
    {"gdbh": f"GD{i:04d}", "ldsj": "2026-11-01 09:00:00", "sqlb": "投诉", "blzt": "已办结",
     "gxsj": f"2026-11-{1 + i // 4:02d} 10:00:00"}
    for i in range(23)
]


class Api:
    def __init__(self, records, fail_first=0, token="t0k", short_pages=(), total_offset=0):
        self.records, self.fail_first, self.token, self.calls = records, fail_first, token, 0
        self.short_pages, self.total_offset = set(short_pages), total_offset
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                api.calls += 1
                if self.headers.get("Authorization") != f"Bearer {api.token}":
                    return self._send(401, {"code": 401, "msg": "unauthorized"})
                if api.fail_first > 0:
                    api.fail_first -= 1
                    return self._send(503, {"code": 503, "msg": "busy"})
                q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                page, size = int(q["page"]), int(q["page_size"])
                rows = sorted((r for r in api.records if r["gxsj"] >= q.get("since", "")),
                              key=lambda r: (r["gxsj"], r["gdbh"]))
                chunk = rows[(page - 1) * size: page * size]
                if page in api.short_pages:  # a server that drops part of a page now and then
                    api.short_pages.discard(page)
                    chunk = chunk[:2]
                self._send(200, {"code": 0, "msg": "success",
                                 "data": {"total": len(rows) + api.total_offset, "page": page, "page_size": size,
                                          "records": chunk}})

            def _send(self, status, doc):
                body = json.dumps(doc, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api():
    a = Api(list(RECORDS))
    yield a
    a.close()


def _pull(api, since=Watermark(), **kw):
    return pull(api.url + "/api/v1/workorders", api.token, page_size=5, records_field="data.records",
                watermark_field="gxsj", key_field="gdbh", since=since, backoff_s=0.01, **kw)


def test_paging_reads_every_record_once(api):
    batch, mark, resent = _pull(api)
    assert [r.values["gdbh"] for r in batch.rows] == [r["gdbh"] for r in RECORDS]
    assert [r.row_number for r in batch.rows] == list(range(1, 24))
    assert mark.value == "2026-11-06 10:00:00" and mark.keys_at_value == ["GD0020", "GD0021", "GD0022"]
    assert resent == 0


def test_incremental_pull_skips_boundary_resends_and_gets_late_arrivals(api):
    _, mark, _ = _pull(api)
    api.records.append({"gdbh": "GD9999", "gxsj": "2026-11-06 10:00:00", "blzt": "已受理", "sqlb": "求助", "ldsj": "x"})
    api.records.append({"gdbh": "GD0000", "gxsj": "2026-11-07 08:00:00", "blzt": "已回访", "sqlb": "投诉", "ldsj": "x"})
    batch, mark2, resent = _pull(api, since=mark)
    assert [r.values["gdbh"] for r in batch.rows] == ["GD9999", "GD0000"]
    assert resent == 3
    assert mark2.value == "2026-11-07 08:00:00"


def test_5xx_is_retried_then_succeeds():
    a = Api(list(RECORDS), fail_first=2)
    try:
        batch, _, _ = _pull(a)
        assert len(batch.rows) == 23 and a.calls == 5 + 2
    finally:
        a.close()


def test_persistent_5xx_gives_up_with_a_clear_error():
    a = Api(list(RECORDS), fail_first=100)
    try:
        with pytest.raises(LoadError, match=r"gave up after 3 attempts \(HTTP 503\)"):
            _pull(a, max_attempts=3)
    finally:
        a.close()


def test_wrong_token_is_final(api):
    with pytest.raises(LoadError, match="HTTP 401"):
        pull(api.url + "/api/v1/workorders", "nope", page_size=5, records_field="data.records",
             watermark_field="gxsj", key_field="gdbh", since=Watermark())
    assert api.calls == 1


def test_timeout_is_retried_and_reported():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(5)  # accepts connections but never answers
    try:
        with pytest.raises(LoadError, match="ReadTimeout"):
            pull(f"http://127.0.0.1:{s.getsockname()[1]}/x", "t", page_size=5, records_field="data.records",
                 watermark_field="gxsj", key_field="gdbh", since=Watermark(), max_attempts=2,
                 backoff_s=0.01, timeout_s=0.3)
    finally:
        s.close()


def test_ingest_api_lands_then_second_run_adds_nothing(api, hotline, tmp_path):
    (first,) = ingest_api(hotline, tmp_path, api.url, api.token, backoff_s=0.01)
    assert (first.status, first.rows_read, first.rows_written, first.rows_quarantined) == ("loaded", 23, 23, 0)
    (second,) = ingest_api(hotline, tmp_path, api.url, api.token, backoff_s=0.01)
    assert second.status == "empty"
    import pyarrow.dataset as ds

    table = ds.dataset(tmp_path / "raw/shuju/hotline", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 23
    assert set(table.column("_source").to_pylist()) == {api.url + "/api/v1/workorders"}


def test_short_page_in_the_middle_is_not_taken_for_the_end():
    """Page 2 comes back with 2 of 5 records; the announced total keeps the pull going, and the
    shortfall is detected rather than silently landing a partial pull."""
    a = Api(list(RECORDS), short_pages={2})
    try:
        with pytest.raises(LoadError, match="announced 23 records .* pages held 20"):
            _pull(a)
        batch, _, _ = _pull(a)  # the retry (the short page was transient)
        assert len(batch.rows) == 23
    finally:
        a.close()


def test_without_a_total_a_short_page_ends_the_pull():
    a = Api(list(RECORDS))
    try:
        batch, _, _ = _pull(a, total_field=None)
        assert len(batch.rows) == 23
    finally:
        a.close()


def test_a_pull_lands_through_a_spool_whole_or_not_at_all(hotline, tmp_path, monkeypatch):
    """The pages go to a local spool as they arrive and stream into the lake from there; a pull whose pages
    fall short of the announced total lands nothing, leaves no file behind and keeps the watermark."""
    import ingest.records as records

    monkeypatch.setattr(records, "BLOCK_ROWS", 4)  # several blocks, so several row groups
    a = Api(list(RECORDS), short_pages={1})
    try:
        with pytest.raises(LoadError, match="announced 23"):
            ingest_api(hotline, tmp_path, a.url, a.token, backoff_s=0.01)
        assert not [p for p in tmp_path.rglob("*") if p.is_file()]
        (r,) = ingest_api(hotline, tmp_path, a.url, a.token, backoff_s=0.01)  # the short page was transient
        assert (r.status, r.rows_written) == ("loaded", 23)
    finally:
        a.close()
    import pyarrow.parquet as pq

    (raw,) = (tmp_path / "raw/shuju/hotline").rglob("*.parquet")
    assert pq.ParquetFile(raw).metadata.num_row_groups >= 5
    assert pq.read_table(raw).column("_row_number").to_pylist() == list(range(1, 24))
