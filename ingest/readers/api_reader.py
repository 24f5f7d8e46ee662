"""Paged REST APIs with an incremental watermark (``since=``), retries and backoff."""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ingest.records import LoadError, ParsedRow, SourceBatch


@dataclass
class Watermark:
    """Where the last published pull stopped: the highest watermark value and the keys seen at it.

    The server filters ``watermark >= since``, so records sharing the boundary value are sent again;
    the keys at the boundary let us drop exactly those re-sends and nothing else.
    """

    value: str | None = None
    keys_at_value: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "keys_at_value": self.keys_at_value}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Watermark":
        data = data or {}
        return cls(data.get("value"), list(data.get("keys_at_value") or []))


def _dig(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            raise KeyError(dotted)
        doc = doc[part]
    return doc


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    s = str(v).strip()
    return s or None


@dataclass
class Pulled:
    """What one pull delivered, known once its last page is in: the digest of the page bodies, the records
    kept (one JSON line each in the spool), those dropped as re-sent, and the watermark after them."""

    sha256: str
    records: int
    resent: int
    watermark: Watermark


class _Top:
    """The highest watermark value seen so far and the keys at it, kept as records stream past."""

    def __init__(self, since: Watermark):
        self.since, self.value, self.keys = since, None, set()

    def see(self, mark: str | None, key: str | None) -> None:
        if not mark:
            return
        if self.value is None or mark > self.value:
            self.value, self.keys = mark, set()
        if mark == self.value and key:
            self.keys.add(key)

    def watermark(self) -> Watermark:
        if self.value is None:
            return self.since
        keys = self.keys | (set(self.since.keys_at_value) if self.value == self.since.value else set())
        return Watermark(self.value, sorted(keys))


def spool_pull(
    url: str,
    token: str | None,
    spool: BinaryIO,
    *,
    page_size: int,
    records_field: str,
    watermark_field: str,
    key_field: str,
    since: Watermark,
    total_field: str | None = "data.total",
    session: Any = None,
    max_attempts: int = 5,
    backoff_s: float = 0.5,
    timeout_s: float = 30.0,
) -> Pulled:
    """Pull every page newer than ``since`` into ``spool``, one JSON line per kept record (its fields as
    delivered text), so a pull of any size holds one page in memory.

    5xx and 429 answers, timeouts and dropped connections are retried with exponential backoff; other 4xx
    are final. When the API announces a total, paging goes on past short pages until that many records
    arrived; a pull that ends with fewer (records moved between pages while paging) fails whole, so
    nothing partial lands and the next try starts again from the same watermark.
    """
    import requests

    session = session or requests.Session()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    digest = hashlib.sha256()
    boundary = set(since.keys_at_value)
    top = _Top(since)
    resent = kept = received = 0
    page = 1
    total: int | None = None
    while True:
        params = {"page": page, "page_size": page_size}
        if since.value:
            params["since"] = since.value
        body = _get_with_retries(session, url, params, headers, max_attempts, backoff_s, timeout_s)
        digest.update(body)
        try:
            doc = json.loads(body.decode("utf-8"))
            records = _dig(doc, records_field)
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError) as exc:
            raise LoadError(f"{url} page {page}: answer is not the expected JSON ({records_field}): {exc}") from exc
        if not isinstance(records, list):
            raise LoadError(f"{url} page {page}: {records_field} is not a list")
        lines = []
        for rec in records:
            if not isinstance(rec, dict):
                raise LoadError(f"{url} page {page}: a record is not a JSON object")
            key, mark = _text(rec.get(key_field)), _text(rec.get(watermark_field))
            if since.value is not None and mark == since.value and key in boundary:
                resent += 1
                continue
            top.see(mark, key)
            lines.append(json.dumps({k: _text(v) for k, v in rec.items()}, ensure_ascii=False))
        if lines:
            spool.write(("\n".join(lines) + "\n").encode("utf-8"))
            kept += len(lines)
        received += len(records)
        announced = _total(doc, total_field)
        if not records:
            break
        if announced is not None:
            total = announced
            if received >= total:
                break
        elif len(records) < page_size:
            break
        page += 1
    if total is not None and received < total:
        raise LoadError(
            f"{url}: the server announced {total} records since {since.value!r} but its pages held {received} "
            "(a short page, or records moved while paging); nothing landed, the next try pulls again"
        )
    return Pulled(digest.hexdigest(), kept, resent, top.watermark())


def pull(url: str, token: str | None, *, since: Watermark, **kw) -> tuple[SourceBatch, Watermark, int]:
    """The whole pull as one batch (for tools and tests; the load streams it): (batch, watermark, re-sent)."""
    buf = io.BytesIO()
    got = spool_pull(url, token, buf, since=since, **kw)
    batch = SourceBatch(source=url, sha256=got.sha256, header=[], encoding="utf-8", unit="record")
    for n, line in enumerate(buf.getvalue().splitlines(), start=1):
        batch.rows.append(ParsedRow(n, json.loads(line)))
    batch.header = list(dict.fromkeys(k for r in batch.rows for k in r.values))
    return batch, got.watermark, got.resent


def _total(doc: Any, total_field: str | None) -> int | None:
    if not total_field:
        return None
    try:
        return int(_dig(doc, total_field))
    except (KeyError, TypeError, ValueError):
        return None


def _get_with_retries(session, url, params, headers, max_attempts, backoff_s, timeout_s) -> bytes:
    import requests

    last = ""
    for attempt in range(1, max_attempts + 1):
        try:
            resp = session.get(url, params=params, headers=headers, timeout=timeout_s)
        except (requests.ConnectionError, requests.Timeout) as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if resp.status_code < 400:
                return resp.content
            if resp.status_code < 500 and resp.status_code != 429:
                raise LoadError(f"{resp.url}: HTTP {resp.status_code} {resp.text[:200]}")
            last = f"HTTP {resp.status_code}"
        if attempt < max_attempts:
            time.sleep(backoff_s * 2 ** (attempt - 1))
    raise LoadError(f"{url} page {params.get('page')}: gave up after {max_attempts} attempts ({last})")
