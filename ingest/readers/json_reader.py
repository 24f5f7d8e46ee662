"""JSON documents and JSON lines: records are objects; nested values are kept as JSON text.

Both are read one record at a time (``stream_json``, ``stream_jsonl``): a document through ijson's C
parser at the records' path, JSON lines line by line. ``read_json``/``read_jsonl`` collect the same
records into one batch, for tools that want them whole.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from ingest.readers.text import Utf8Reader, decode_lines, detect_encoding, whole_characters
from ingest.records import BadRow, Item, LoadError, ParsedRow, Skipped, SourceBatch, Stream, blocks_from_items, collect

_HEAD = 1 << 16  # what the encoding is detected from


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def _record(row_number: int, rec: Any, raw: str) -> Item:
    if not isinstance(rec, dict):
        return BadRow(row_number, raw[:10_000], f"第{row_number}条记录不是 JSON 对象")
    return ParsedRow(row_number, {k: _text(v) for k, v in rec.items()})


def _document_items(f: BinaryIO, source: str, enc: str, records_path: str | None) -> Iterator[Item]:
    """Records of the array at ``records_path`` (dotted; the root array without one), numbered 1, 2, …"""
    import ijson

    prefix = records_path or ""
    found: list[str] = []

    def events(stream):
        for prefix_, event, value in stream:
            if prefix_ == prefix and not found and event in ("start_array", "start_map", "string", "number",
                                                              "boolean", "null"):
                found.append(event)
            yield prefix_, event, value

    reader = f if enc in ("utf-8", "utf-8-sig") else Utf8Reader(f, enc)
    try:
        parsed = ijson.parse(reader, use_float=True)
        for i, rec in enumerate(ijson.items(events(parsed), f"{prefix}.item" if prefix else "item"), start=1):
            yield _record(i, rec, json.dumps(rec, ensure_ascii=False))
    except (UnicodeDecodeError, ijson.JSONError) as exc:
        raise LoadError(f"{source}: not valid JSON ({enc}): {exc}") from exc
    if not found:
        if records_path:
            raise LoadError(f"{source}: no records at {records_path!r}")
        raise LoadError(f"{source}: records at '<root>' are not an array")
    if found[0] != "start_array":
        raise LoadError(f"{source}: records at {records_path or '<root>'!r} are not an array")


def _decoded(f: BinaryIO, enc: str) -> Iterator[tuple[str | None, bytes]]:
    for piece in f:
        yield decode_lines(piece.rstrip(b"\n"), enc)[0]


def _lines_items(lines: Iterable[tuple[str | None, bytes]], enc: str) -> Iterator[Item]:
    for n, (text, raw) in enumerate(lines, start=1):
        if text is None:
            yield BadRow(n, raw.decode(enc, errors="replace"), f"第{n}行无法按 {enc} 解码（编码错误）")
        elif not text.strip():
            yield Skipped(n, n, "blank")  # blank lines separate nothing in JSON lines
        else:
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as exc:
                yield BadRow(n, text, f"第{n}行不是合法 JSON（截断或格式错误）：{exc.msg}")
                continue
            yield _record(n, rec, text)


def _head(f: BinaryIO) -> bytes:
    head = f.read(_HEAD)
    f.seek(0)
    return whole_characters(head)


def stream_json(f: BinaryIO, source: str, *, encoding: str | None, records_path: str | None = None) -> Stream:
    """A JSON document: a top-level array of records, or the array at ``records_path`` (dotted).

    Record numbers are 1-based positions in that array. A document that does not parse fails whole.
    """
    head = _head(f)
    if not head.strip():
        raise LoadError(f"{source}: empty file")
    enc = detect_encoding(head, encoding)
    return Stream(None, enc, [], blocks_from_items(_document_items(f, source, enc, records_path)), unit="record")


def stream_jsonl(f: BinaryIO, source: str, *, encoding: str | None, unit: str = "line") -> Stream:
    """JSON lines: one object per physical line; a line that does not parse is quarantined. An empty file
    is a day without records (no opinion event): nothing to land, nothing lost. ``unit``: what a line is to
    the accounting (``record`` for an API pull spooled one record per line)."""
    head = _head(f)
    enc = detect_encoding(head, encoding) if head else "utf-8"
    if enc == "utf-8-sig":
        f.read(3)
        enc = "utf-8"
    return Stream(None, enc, [], blocks_from_items(_lines_items(_decoded(f, enc), enc)), unit=unit)


def _whole(data: bytes, source: str, enc: str, unit: str) -> SourceBatch:
    return SourceBatch(source=source, sha256=hashlib.sha256(data).hexdigest(), header=[], encoding=enc, unit=unit)


def read_json(data: bytes, source: str, *, encoding: str | None, records_path: str | None = None) -> SourceBatch:
    if not data.strip():
        raise LoadError(f"{source}: empty file")
    enc = detect_encoding(whole_characters(data[:_HEAD]), encoding)
    return collect(_whole(data, source, enc, "record"), _document_items(io.BytesIO(data), source, enc, records_path))


def read_jsonl(data: bytes, source: str, *, encoding: str | None) -> SourceBatch:
    enc = detect_encoding(whole_characters(data[:_HEAD]), encoding) if data else "utf-8"
    # UTF-16 (read whole: its line ends are not LF bytes) is split by decode_lines, which leaves one empty
    # piece after the final terminator; other encodings are split as the stream splits them.
    if enc == "utf-16":
        lines = decode_lines(data, enc)
        if lines and lines[-1][1] in (b"", b"\r"):
            lines.pop()
    else:
        f = io.BytesIO(data)
        if enc == "utf-8-sig":
            f.read(3)
            enc = "utf-8"
        lines = _decoded(f, enc)
    return collect(_whole(data, source, enc, "line"), _lines_items(lines, enc))
