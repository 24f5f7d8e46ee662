"""JSON documents and JSON lines: records are objects; nested values are kept as JSON text."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ingest.readers.text import decode_lines, detect_encoding
from ingest.records import BadRow, LoadError, ParsedRow, Skipped, SourceBatch


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def _batch(source: str, sha: str, enc: str) -> SourceBatch:
    return SourceBatch(source=source, sha256=sha, header=[], encoding=enc)


def _add(batch: SourceBatch, seen: dict[str, None], row_number: int, rec: Any, raw: str) -> None:
    if not isinstance(rec, dict):
        batch.bad_rows.append(BadRow(row_number, raw[:10_000], f"第{row_number}条记录不是 JSON 对象"))
        return
    for k in rec:
        seen.setdefault(k)
    batch.rows.append(ParsedRow(row_number, {k: _text(v) for k, v in rec.items()}))


def read_json(data: bytes, source: str, *, encoding: str | None, records_path: str | None = None) -> SourceBatch:
    """A JSON document: a top-level array of records, or the array at ``records_path`` (dotted).

    Record numbers are 1-based positions in that array. A document that does not parse fails whole.
    """
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise LoadError(f"{source}: empty file")
    enc = detect_encoding(data, encoding)
    try:
        doc = json.loads(data.decode(enc))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{source}: not valid JSON ({enc}): {exc}") from exc
    records = doc
    for part in (records_path or "").split(".") if records_path else []:
        if not isinstance(records, dict) or part not in records:
            raise LoadError(f"{source}: no records at {records_path!r}")
        records = records[part]
    if not isinstance(records, list):
        raise LoadError(f"{source}: records at {records_path or '<root>'!r} are not an array")
    batch, seen = _batch(source, sha, enc), {}
    batch.unit = "record"
    for i, rec in enumerate(records, start=1):
        _add(batch, seen, i, rec, json.dumps(rec, ensure_ascii=False))
    batch.header = list(seen)
    return batch


def read_jsonl(data: bytes, source: str, *, encoding: str | None) -> SourceBatch:
    """JSON lines: one object per physical line; a line that does not parse is quarantined."""
    sha = hashlib.sha256(data).hexdigest()
    enc = detect_encoding(data, encoding) if data else "utf-8"
    batch, seen = _batch(source, sha, enc), {}
    # An empty file is a day without records (no opinion event): nothing to land, nothing lost.
    lines = decode_lines(data, enc) if data else []
    if lines and lines[-1][1] in (b"", b"\r"):
        lines.pop()  # the piece after the final terminator is not a line
    for n, (text, raw) in enumerate(lines, start=1):
        if text is None:
            batch.bad_rows.append(BadRow(n, raw.decode(enc, errors="replace"), f"第{n}行无法按 {enc} 解码（编码错误）"))
            continue
        if not text.strip():
            batch.skipped.append(Skipped(n, n, "blank"))  # blank lines separate nothing in JSON lines
            continue
        try:
            rec = json.loads(text)
        except json.JSONDecodeError as exc:
            batch.bad_rows.append(BadRow(n, text, f"第{n}行不是合法 JSON（截断或格式错误）：{exc.msg}"))
            continue
        _add(batch, seen, n, rec, text)
    batch.header = list(seen)
    return batch
