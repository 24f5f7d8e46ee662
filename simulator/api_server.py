"""The API departments' REST APIs, served by one real HTTP server (docs/architecture.md §1).

Every API feed the simulator wrote is listed in ``<sim_dir>/api/registry.json`` (path, backing store,
watermark and key field); without a registry the 12345 work orders are served at ``/api/v1/workorders``.
For each path: ``GET <path>?since=<YYYY-MM-DD HH:MM:SS>&page=<n>&page_size=<k>`` with
``Authorization: Bearer <token>`` answers
``{"code":0,"msg":"success","data":{"total":N,"page":n,"page_size":k,"records":[…]}}``: records ordered by
(watermark, key), filtered ``watermark >= since``; ``page`` is 1-based. 401 without the right token, 400 on
bad parameters, 404 elsewhere. Stores are re-read when their file changes.

Days: a store's rows may carry ``_day`` (published by daily delta d). The server serves the city as of
``day`` (default: the last simulated day): for each key the latest version published up to that day.
Advance it with ``server.day = d`` (or ``PUT /_sim/day?day=d`` with the token, or ``--day``).

Faults (:class:`Faults`), drawn per data request from a seeded RNG (a request's fate depends only on the
seed and its sequence number, so a single client sees the same faults every run): HTTP 429 with
``Retry-After``, 5xx (500/502/503), and slow answers (sleep ``slow_seconds`` first: a client with a shorter
timeout sees a timeout). Also a real token-bucket rate limit (``max_requests_per_s``). At most
``max_in_a_row`` faults in a row, so a client retrying with backoff always gets through. Defaults are
modest (1% 429, 1% 5xx, 0.5% slow by 1.5 s); ``Faults.off()`` or ``$CITYLAKE_SIM_API_FAULTS=off`` turns
them off; ``$CITYLAKE_SIM_API_FAULTS=429=0.05,5xx=0.05,slow=0.02,slow_s=3,rps=20,seed=7`` sets them.

Run standalone: ``python -m simulator.api_server --sim-dir data/sim --token T --port 8012 [--no-faults]``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hmac
import json
import os
import random
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from simulator.feeds.shuju import STORE, TIMESTAMP

WORKORDERS_PATH = "/api/v1/workorders"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000
REGISTRY = Path("api") / "registry.json"  # under the sim dir
FAULTS_ENV = "CITYLAKE_SIM_API_FAULTS"


@dataclass(frozen=True, kw_only=True)
class Faults:
    enabled: bool = True
    throttle_rate: float = 0.01  # share of data requests answered 429
    error_rate: float = 0.01  # share answered 500/502/503
    slow_rate: float = 0.005  # share answered after slow_seconds
    slow_seconds: float = 1.5
    retry_after_s: int = 1
    max_requests_per_s: float | None = None  # token bucket over all clients; excess → 429
    max_in_a_row: int = 2
    seed: int = 0

    @classmethod
    def off(cls) -> "Faults":
        return cls(enabled=False)

    @classmethod
    def from_env(cls, value: str | None = None) -> "Faults":
        value = os.environ.get(FAULTS_ENV, "") if value is None else value
        value = value.strip()
        if not value:
            return cls()
        if value.lower() in ("off", "0", "false", "no"):
            return cls.off()
        names = {"429": "throttle_rate", "5xx": "error_rate", "slow": "slow_rate", "slow_s": "slow_seconds",
                 "rps": "max_requests_per_s", "seed": "seed", "retry_after": "retry_after_s",
                 "in_a_row": "max_in_a_row"}
        kw: dict = {}
        for part in value.split(","):
            k, _, v = part.partition("=")
            if k.strip() not in names:
                raise ValueError(f"{FAULTS_ENV}: unknown setting {k!r} (known: {', '.join(names)}, or 'off')")
            field = names[k.strip()]
            kw[field] = int(v) if field in ("seed", "retry_after_s", "max_in_a_row") else float(v)
        return cls(**kw)


class _Store:
    """One endpoint's rows, reloaded when the backing file changes; versions resolved per served day."""

    def __init__(self, path: Path, watermark: str, key: str, keys: tuple[str, ...] = (),
                 records_field: str = "data.records", total_field: str | None = "data.total") -> None:
        self.path = path
        self.watermark, self.key = watermark, key
        self.version_key = tuple(keys) or (key,)  # a record's identity across versions (composite keys too)
        self.records_field, self.total_field = records_field, total_field
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._rows: list[dict] = []
        self._keys: list[str] = []

    def rows(self, day: int | None) -> tuple[list[dict], list[str]]:
        with self._lock:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, day)
            if stamp != self._stamp:
                latest: dict[str, tuple[int, dict]] = {}
                with open(self.path, encoding="utf-8") as fh:
                    for line in fh:
                        if not line.strip():
                            continue
                        row = json.loads(line)
                        d = row.pop("_day", 0)
                        if day is not None and d > day:
                            continue
                        k = tuple(row[f] for f in self.version_key)
                        if k not in latest or d >= latest[k][0]:
                            latest[k] = (d, row)
                rows = [r for _, r in latest.values()]
                rows.sort(key=lambda r: (r[self.watermark] or "", r[self.key] or ""))
                self._rows, self._keys, self._stamp = rows, [r[self.watermark] or "" for r in rows], stamp
            return self._rows, self._keys


def _load_endpoints(sim_dir: Path) -> tuple[dict[str, _Store], int]:
    reg = sim_dir / REGISTRY
    if not reg.exists():
        return {WORKORDERS_PATH: _Store(sim_dir / STORE, "gxsj", "gdbh")}, 0
    doc = json.loads(reg.read_text(encoding="utf-8"))
    stores = {e["path"].rstrip("/"): _Store(sim_dir / e["store"], e["watermark_field"], e["key_field"],
                                            tuple(e.get("key_fields", ())),
                                            e.get("records_field", "data.records"), e.get("total_field", "data.total"))
              for e in doc["endpoints"]}
    return stores, int(doc.get("days", 0))


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output quiet
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="citylake-sim"')
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout fault): nothing to answer

    def _error(self, status: int, msg: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"code": status, "msg": msg, "data": None}, headers)

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.token}"
        return hmac.compare_digest(auth.encode("utf-8"), expected.encode("utf-8"))

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        store = self.server.stores.get(url.path.rstrip("/"))
        if store is None:
            return self._error(404, f"no such resource: {url.path}")
        if not self._authorised():
            return self._error(401, "unauthorized: missing or wrong bearer token")
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            page = _int_param(query, "page", 1, 1, None)
            page_size = _int_param(query, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
            since = _since_param(query)
        except ValueError as exc:
            return self._error(400, str(exc))
        fault = self.server.draw_fault()
        if fault == 429:
            return self._error(429, "too many requests", {"Retry-After": str(self.server.faults.retry_after_s)})
        if fault in (500, 502, 503):
            return self._error(fault, "server error (simulated)")
        if fault == "slow":
            time.sleep(self.server.faults.slow_seconds)
        try:
            rows, keys = store.rows(self.server.day)
        except FileNotFoundError:
            return self._error(503, "data not available yet")
        start = bisect.bisect_left(keys, since) if since else 0
        total = len(rows) - start
        first = start + (page - 1) * page_size
        records = rows[first:first + page_size] if first < len(rows) else []
        if store.records_field == "data.records":
            self._send(200, {"code": 0, "msg": "success",
                             "data": {"total": total, "page": page, "page_size": page_size, "records": records}})
        else:  # the envelope the contract names (e.g. GA/T 1400's APEStatusListObject.APEStatusObject)
            doc: dict = {}
            _nest(doc, store.records_field, records)
            if store.total_field:
                _nest(doc, store.total_field, total)
            self._send(200, doc)

    def do_PUT(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path.rstrip("/") != "/_sim/day":
            return self._error(405, "method not allowed")
        if not self._authorised():
            return self._error(401, "unauthorized: missing or wrong bearer token")
        try:
            day = _int_param(parse_qs(url.query), "day", 0, 0, None)
        except ValueError as exc:
            return self._error(400, str(exc))
        self.server.day = day
        self._send(200, {"code": 0, "msg": "success", "data": {"day": day}})

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


def _nest(doc: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for name in parents:
        doc = doc.setdefault(name, {})
    doc[last] = value


def _since_param(query: dict[str, list[str]]) -> str | None:
    raw = _one(query, "since")
    if raw is None or raw == "":
        return None
    if raw.isdigit() and 8 <= len(raw) <= 14:  # compact watermarks (YYYYMMDDHH[MMSS]) compare as text
        return raw
    try:
        return dt.datetime.strptime(raw, TIMESTAMP).strftime(TIMESTAMP)
    except ValueError:
        raise ValueError(f"parameter since must look like YYYY-MM-DD HH:MM:SS, got {raw!r}") from None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, stores: dict[str, _Store], token: str, verbose: bool, faults: Faults,
                 day: int | None) -> None:
        super().__init__(address, _Handler)
        self.stores = stores
        self.token = token
        self.verbose = verbose
        self.faults = faults
        self.day = day
        self._lock = threading.Lock()
        self._requests = 0
        self._in_a_row = 0
        self._bucket = (faults.max_requests_per_s or 0.0, time.monotonic())
        self.stats: dict[str, int] = {"requests": 0, "429": 0, "5xx": 0, "slow": 0, "rate_limited": 0}

    def draw_fault(self) -> int | str | None:
        """This data request's fate: None (answer), 429, 500/502/503 or "slow"."""
        f = self.faults
        with self._lock:
            n = self._requests
            self._requests += 1
            self.stats["requests"] += 1
            if not f.enabled:
                return None
            if f.max_requests_per_s:
                tokens, last = self._bucket
                now = time.monotonic()
                tokens = min(f.max_requests_per_s, tokens + (now - last) * f.max_requests_per_s)
                if tokens < 1:
                    self._bucket = (tokens, now)
                    self.stats["rate_limited"] += 1
                    self.stats["429"] += 1
                    return 429
                self._bucket = (tokens - 1, now)
            draw = random.Random(f"{f.seed}/{n}").random()
            if draw < f.throttle_rate:
                fault: int | str | None = 429
            elif draw < f.throttle_rate + f.error_rate:
                fault = (500, 502, 503)[int(draw * 1e6) % 3]
            elif draw < f.throttle_rate + f.error_rate + f.slow_rate:
                fault = "slow"
            else:
                fault = None
            if fault is not None and self._in_a_row >= f.max_in_a_row:
                fault = None  # a client that retries gets through
            self._in_a_row = self._in_a_row + 1 if fault is not None else 0
            if fault is not None:
                self.stats["429" if fault == 429 else "slow" if fault == "slow" else "5xx"] += 1
            return fault


class DepartmentApiServer:
    """Every API department over ``<sim_dir>/api/registry.json``; ``with DepartmentApiServer(...) as s:``.

    ``faults``: :class:`Faults` (default: from ``$CITYLAKE_SIM_API_FAULTS``, else modest defaults);
    ``day``: the simulated day served (default: the last one simulated).
    """

    def __init__(self, sim_dir: Path, token: str, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False, faults: Faults | None = None, day: int | None = None) -> None:
        if not token:
            raise ValueError("a bearer token is required")
        self.sim_dir = Path(sim_dir)
        stores, days = _load_endpoints(self.sim_dir)
        self.days = days
        self._httpd = _Server((host, port), stores, token, verbose, faults or Faults.from_env(),
                              days if day is None else day)
        self._thread: threading.Thread | None = None

    @property
    def paths(self) -> list[str]:
        return sorted(self._httpd.stores)

    @property
    def day(self) -> int | None:
        return self._httpd.day

    @day.setter
    def day(self, value: int) -> None:
        self._httpd.day = value

    @property
    def faults(self) -> Faults:
        return self._httpd.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._httpd.faults = value

    @property
    def stats(self) -> dict[str, int]:
        return dict(self._httpd.stats)

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
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="citylake-sim-api", daemon=True)
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
    parser = argparse.ArgumentParser(description="Serve the simulated departments' REST APIs.")
    parser.add_argument("--sim-dir", type=Path, required=True, help="the simulator's sim/ folder")
    parser.add_argument("--token", required=True, help="bearer token clients must send")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8012)
    parser.add_argument("--day", type=int, default=None, help="simulated day to serve (default: the last)")
    parser.add_argument("--no-faults", action="store_true", help="never answer 429/5xx or slowly")
    args = parser.parse_args(argv)
    server = DepartmentApiServer(args.sim_dir, args.token, args.host, args.port, verbose=True,
                                 faults=Faults.off() if args.no_faults else None, day=args.day)
    for path in server.paths:
        print(f"serving {server.base_url}{path}", flush=True)
    print(f"day {server.day}, faults {server.faults} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
