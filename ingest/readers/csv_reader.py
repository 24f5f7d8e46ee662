"""Delimited text files (CSV) in any encoding the catalogue uses."""

from __future__ import annotations

import csv
import hashlib
import io

from ingest.readers.text import decode_lines, detect_encoding, normalise_encoding, utf8_lines_in
from ingest.records import BadRow, LoadError, ParsedRow, SourceBatch, check_unique_header


def _blank(v: str) -> str | None:
    v = v.strip()
    return v or None


def read_csv(data: bytes, source: str, *, encoding: str | None, delimiter: str = ",") -> SourceBatch:
    """Parse a delivered CSV. Rows with the wrong field count or undecodable bytes are quarantined.

    Raises :class:`LoadError` when the file has no header or is not text at all.
    """
    # Departments put whole documents in a cell; the csv module's 128 KiB default would quarantine them.
    csv.field_size_limit(1 << 30)
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise LoadError(f"{source}: empty file (0 data rows, no header)")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(f"{source}: not a text file (NUL bytes) — binary content with a .csv name")
    enc = detect_encoding(data, encoding)
    lines = decode_lines(data, enc)
    # A file ending in a newline leaves one empty trailing piece: not a row.
    if lines and lines[-1][1] in (b"", b"\r"):
        lines.pop()

    header_text, header_raw = lines[0]
    if header_text is None:
        raise LoadError(f"{source}: header line does not decode as {enc}; wrong encoding declared?")
    header = next(csv.reader([header_text.rstrip("\r")], delimiter=delimiter))
    header = [h.strip().lstrip("\ufeff") for h in header]
    check_unique_header(source, header, "header line 1")
    if len(header) < 2 and delimiter not in header_text:
        raise LoadError(
            f"{source}: header has a single column {header[0][:40]!r}: wrong delimiter "
            f"(expected {delimiter!r})?"
        )
    batch = SourceBatch(source=source, sha256=sha, header=header, encoding=enc)
    if encoding and enc == "utf-8" and normalise_encoding(encoding) == "gb18030":
        batch.notes.append(f"declared {encoding} but the file is UTF-8; decoded as UTF-8")
    mixed = utf8_lines_in(lines, enc)
    if mixed:
        batch.notes.append(f"{len(mixed)} line(s) were UTF-8 inside a {encoding or enc} file, decoded as UTF-8: "
                           f"lines {', '.join(map(str, mixed[:20]))}{' …' if len(mixed) > 20 else ''}")

    # Feed decodable lines to the csv module, keeping each record's first physical line number so the
    # lake can point staff to the exact line. A quoted field may span lines.
    i = 1
    n = len(lines)
    while i < n:
        text, raw = lines[i]
        start = i + 1  # 1-based physical line number
        if text is None:
            batch.bad_rows.append(
                BadRow(start, raw.decode(enc, errors="replace"), f"第{start}行无法按 {enc} 解码（编码错误）")
            )
            i += 1
            continue
        buf = text
        j = i
        # A record continues while its quotes are unbalanced.
        while buf.count('"') % 2 == 1 and j + 1 < n and lines[j + 1][0] is not None:
            j += 1
            buf += "\n" + lines[j][0]
        i = j + 1
        buf = buf.rstrip("\r")
        if not buf.strip():
            batch.bad_rows.append(BadRow(start, buf, f"第{start}行为空行"))
            continue
        try:
            fields = next(csv.reader(io.StringIO(buf), delimiter=delimiter, strict=True))
        except csv.Error as exc:
            batch.bad_rows.append(BadRow(start, buf, f"第{start}行无法解析：{exc}"))
            continue
        if len(fields) != len(header):
            batch.bad_rows.append(
                BadRow(start, buf, f"第{start}行字段数 {len(fields)} 与表头 {len(header)} 不一致（截断或多余分隔符）")
            )
            continue
        batch.rows.append(ParsedRow(start, {h: _blank(v) for h, v in zip(header, fields)}))
    return batch
