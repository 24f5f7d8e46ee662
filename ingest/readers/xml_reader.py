"""XML documents: one record per element named by the contract; fields are child elements or attributes."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

from ingest.readers.text import normalise_encoding
from ingest.records import BadRow, LoadError, ParsedRow, SourceBatch


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # drop a namespace


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9_.-]+)["']""")


def _as_utf8(data: bytes, source: str) -> tuple[bytes, str]:
    """Expat cannot decode GBK/GB18030, so such documents are decoded here and handed over as UTF-8."""
    m = _DECLARED.match(data[:300])
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    if declared.replace("-", "") in ("utf8", "usascii", "ascii", "iso88591", "latin1"):
        return data, declared
    enc = normalise_encoding(declared)
    try:
        text = data.decode(enc)
    except (LookupError, UnicodeDecodeError) as exc:
        raise LoadError(f"{source}: does not decode as its declared encoding {declared}: {exc}") from exc
    text = text[: m.start(1)] + "UTF-8" + text[m.end(1) :] if m else text
    return text.encode("utf-8"), enc


def read_xml(data: bytes, source: str, *, record_tag: str) -> SourceBatch:
    """Every ``record_tag`` element is a record; record numbers are 1-based positions in the document.

    The XML declaration decides the encoding (GBK documents declare it). A malformed document fails whole:
    XML has no record boundaries to recover from. DTDs and entity declarations are refused.
    """
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise LoadError(f"{source}: empty file")
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:65536]:
        raise LoadError(f"{source}: DTD/entity declarations are not accepted in deliveries")
    data, enc = _as_utf8(data, source)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise LoadError(f"{source}: not well-formed XML: {exc}") from exc
    batch = SourceBatch(source=source, sha256=sha, header=[], encoding=enc, unit="record")
    seen: dict[str, None] = {}
    n = 0
    for el in root.iter():
        if _local(el.tag) != record_tag:
            continue
        n += 1
        values: dict[str, str | None] = {}
        for k, v in el.attrib.items():
            values[f"@{_local(k)}"] = v.strip() or None
        for child in el:
            name = _local(child.tag)
            if len(child):
                batch.bad_rows.append(
                    BadRow(n, ET.tostring(el, encoding="unicode")[:10_000], f"第{n}条记录的字段 {name} 含有嵌套元素")
                )
                break
            if name in values:
                batch.bad_rows.append(
                    BadRow(n, ET.tostring(el, encoding="unicode")[:10_000], f"第{n}条记录的字段 {name} 重复出现")
                )
                break
            values[name] = (child.text or "").strip() or None
        else:
            for k in values:
                seen.setdefault(k)
            batch.rows.append(ParsedRow(n, values))
    batch.header = list(seen)
    return batch


def count_records(data: bytes, record_tag: str) -> int:
    """Record elements in the document counted from its bytes (start tags), without the XML parser."""
    return len(re.findall(rb"<(?:[\w.-]+:)?" + re.escape(record_tag.encode()) + rb"[\s>/]", data))
