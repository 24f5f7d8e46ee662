"""The 12345 department's REST API, served by a real HTTP server (docs/architecture.md §1).

``GET /api/v1/workorders?since=<YYYY-MM-DD HH:MM:SS>&page=<n>&page_size=<k>`` with
``Authorization: Bearer <token>`` answers
``{"code":0,"msg":"success","data":{"total":N,"page":n,"page_size":k,"records":[…]}}``: records ordered by
(gxsj, gdbh), filtered ``gxsj >= since``; ``page`` is 1-based. 401 without the right token, 400 on bad
parameters, 404 elsewhere. The backing data (``<sim_dir>/api/shuju/workorders.jsonl``, written by the
simulator) is re-read when the file changes, so a new day's simulation is served without a restart.

Run standalone: ``python -m simulator.api_server --sim-dir data/sim --token T --port 8012``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from simulator.feeds.shuju import STORE, TIMESTAMP

WORKORDERS_PATH = "/api/v1/workorders"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000


class _Store:
    """The work orders, sorted as served, reloaded when the backing file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._rows: list[dict] = []
        self._keys: list[str] = []

    def rows(self) -> tuple[list[dict], list[str]]:
        with self._lock:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                with open(self.path, encoding="utf-8") as fh:
                    rows = [json.loads(line) for line in fh if line.strip()]
                rows.sort(key=lambda r: (r["gxsj"], r["gdbh"]))
                self._rows, self._keys, self._stamp = rows, [r["gxsj"] for r in rows], stamp
            return self._rows, self._keys


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output quiet
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="12345"')
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, msg: str) -> None:
        self._send(status, {"code": status, "msg": msg, "data": None})

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        if url.path.rstrip("/") != WORKORDERS_PATH:
            return self._error(404, f"no such resource: {url.path}")
        auth = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.token}"
        if not hmac.compare_digest(auth.encode("utf-8"), expected.encode("utf-8")):
            return self._error(401, "unauthorized: missing or wrong bearer token")
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            page = _int_param(query, "page", 1, 1, None)
            page_size = _int_param(query, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
            since = _since_param(query)
        except ValueError as exc:
            return self._error(400, str(exc))
        try:
            rows, keys = self.server.store.rows()
        except FileNotFoundError:
            return self._error(503, "work orders not available yet")
        start = bisect.bisect_left(keys, since) if since else 0
        total = len(rows) - start
        first = start + (page - 1) * page_size
        records = rows[first:first + page_size] if first < len(rows) else []
        self._send(200, {"code": 0, "msg": "success",
                         "data": {"total": total, "page": page, "page_size": page_size, "records": records}})

    def do_POST(self) -> None:  # noqa: N802
        self._error(405, "method not allowed")


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ValueError(f"parameter {name} given more than once")
    return values[0]


def _int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int | None) -> int:
    raw = _one(query, name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise ValueError(f"parameter {name} must be a positive integer, got {raw!r}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise ValueError(f"parameter {name} must be between {low} and {high or '∞'}, got {value}")
    return value


def _since_param(query: dict[str, list[str]]) -> str | None:
    raw = _one(query, "since")
    if raw is None or raw == "":
        return None
    try:
        return dt.datetime.strptime(raw, TIMESTAMP).strftime(TIMESTAMP)
    except ValueError:
        raise ValueError(f"parameter since must look like YYYY-MM-DD HH:MM:SS, got {raw!r}") from None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, store: _Store, token: str, verbose: bool) -> None:
        super().__init__(address, _Handler)
        self.store = store
        self.token = token
        self.verbose = verbose


class DepartmentApiServer:
    """The 12345 API over ``<sim_dir>/api/shuju/workorders.jsonl``; ``with DepartmentApiServer(...) as s:``."""

    def __init__(self, sim_dir: Path, token: str, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False) -> None:
        if not token:
            raise ValueError("a bearer token is required")
        self.sim_dir = Path(sim_dir)
        self._httpd = _Server((host, port), _Store(self.sim_dir / STORE), token, verbose)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def workorders_url(self) -> str:
        return self.base_url + WORKORDERS_PATH

    def start(self) -> "DepartmentApiServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="shuju-12345-api", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def __enter__(self) -> "DepartmentApiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the simulated 12345 work-order API.")
    parser.add_argument("--sim-dir", type=Path, required=True, help="the simulator's sim/ folder")
    parser.add_argument("--token", required=True, help="bearer token clients must send")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8012)
    args = parser.parse_args(argv)
    server = DepartmentApiServer(args.sim_dir, args.token, args.host, args.port, verbose=True)
    print(f"serving {server.workorders_url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
