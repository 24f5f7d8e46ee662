"""XML documents: one record per element named by the contract; fields are child elements or attributes.

Read with expat's pull parser one chunk at a time (``stream_xml``): each record element is turned into a
record when it closes and then dropped from the tree, so memory holds one record, not the document.
GBK/GB18030 documents are transcoded on the way in (expat cannot decode them).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from ingest.readers.text import Utf8Reader, normalise_encoding
from ingest.records import BadRow, Item, LoadError, ParsedRow, SourceBatch, Stream, blocks_from_items, collect

_CHUNK = 1 << 20


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # drop a namespace


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9_.-]+)["']""")
_PASS_THROUGH = ("utf8", "usascii", "ascii", "iso88591", "latin1")


def _encoding(head: bytes, source: str) -> tuple[str, re.Match | None]:
    if not head.strip():
        raise LoadError(f"{source}: empty file")
    if b"<!DOCTYPE" in head[:2048] or b"<!ENTITY" in head:
        raise LoadError(f"{source}: DTD/entity declarations are not accepted in deliveries")
    m = _DECLARED.match(head[:300])
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    if declared.replace("-", "") in _PASS_THROUGH:
        return declared, None
    enc = normalise_encoding(declared)
    try:
        codecs.lookup(enc)  # an unknown name fails here, naming the file, not inside the transcoder
    except LookupError as exc:
        raise LoadError(f"{source}: unknown declared encoding {declared}: {exc}") from exc
    return enc, m


def _record(el: ET.Element, n: int) -> Item:
    values: dict[str, str | None] = {}
    for k, v in el.attrib.items():
        values[f"@{_local(k)}"] = v.strip() or None
    for child in el:
        name = _local(child.tag)
        if len(child):
            return BadRow(n, ET.tostring(el, encoding="unicode")[:10_000], f"第{n}条记录的字段 {name} 含有嵌套元素")
        if name in values:
            return BadRow(n, ET.tostring(el, encoding="unicode")[:10_000], f"第{n}条记录的字段 {name} 重复出现")
        values[name] = (child.text or "").strip() or None
    return ParsedRow(n, values)


def _items(f: BinaryIO, source: str, record_tag: str, enc: str, declared: re.Match | None) -> Iterator[Item]:
    reader = Utf8Reader(f, enc) if declared else f
    parser = ET.XMLPullParser(events=("start", "end"))
    stack: list[ET.Element] = []
    numbers: dict[int, int] = {}
    n = 0
    first = True
    try:
        while chunk := reader.read(_CHUNK):
            if first and declared:  # the bytes are UTF-8 now: say so, or expat would refuse the declaration
                chunk = re.sub(rb"""(<\?xml[^>]*encoding=["'])[A-Za-z0-9_.-]+""", rb"\1UTF-8", chunk, count=1)
            first = False
            parser.feed(chunk)
            for event, el in parser.read_events():
                if event == "start":
                    stack.append(el)
                    if _local(el.tag) == record_tag:
                        n += 1
                        numbers[id(el)] = n
                    continue
                stack.pop()
                if id(el) in numbers:
                    yield _record(el, numbers.pop(id(el)))
                    if stack and not numbers:  # not inside another record: drop it from the tree
                        stack[-1].remove(el)
        parser.close()
    except (ET.ParseError, UnicodeDecodeError) as exc:
        raise LoadError(f"{source}: not well-formed XML ({enc}): {exc}") from exc


def stream_xml(f: BinaryIO, source: str, *, record_tag: str) -> Stream:
    """Every ``record_tag`` element is a record; record numbers are 1-based positions in the document.

    The XML declaration decides the encoding (GBK documents declare it). A malformed document fails whole:
    XML has no record boundaries to recover from. DTDs and entity declarations are refused.
    """
    head = f.read(1 << 16)
    f.seek(0)
    enc, declared = _encoding(head, source)
    return Stream(None, enc, [], blocks_from_items(_items(f, source, record_tag, enc, declared)), unit="record")


def read_xml(data: bytes, source: str, *, record_tag: str) -> SourceBatch:
    enc, declared = _encoding(data[: 1 << 16], source)
    batch = SourceBatch(source=source, sha256=hashlib.sha256(data).hexdigest(), header=[], encoding=enc, unit="record")
    return collect(batch, _items(io.BytesIO(data), source, record_tag, enc, declared))


def _start_tag(record_tag: str) -> re.Pattern:
    return re.compile(rb"<(?:[\w.-]+:)?" + re.escape(record_tag.encode()) + rb"[\s>/]")


def count_records(data: bytes, record_tag: str) -> int:
    """Record elements in the document counted from its bytes (start tags), without the XML parser."""
    return len(_start_tag(record_tag).findall(data))


def count_records_in(path, record_tag: str, chunk_bytes: int = 8 << 20) -> int:
    """``count_records`` over a file read in chunks; a tag cut by a chunk edge is counted once."""
    pattern = _start_tag(record_tag)
    keep = len(record_tag) + 64  # longer than any start tag's name part
    total, tail = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(chunk_bytes):
            buf = tail + chunk
            cut = max(len(buf) - keep, 0)
            # count the tags that start before the cut; the rest are counted with the next chunk
            total += sum(1 for m in pattern.finditer(buf) if m.start() < cut)
            tail = buf[cut:]
    return total + len(pattern.findall(tail))
