"""Delimited text files (CSV) in any encoding the catalogue uses."""

from __future__ import annotations

import csv
import hashlib
import io

from ingest.readers.text import decode_lines, detect_encoding, normalise_encoding, utf8_lines_in
from ingest.records import BadRow, LoadError, ParsedRow, Skipped, SourceBatch, check_unique_header

MAX_RECORD_LINES = 100  # a quoted field may span this many lines; beyond it the quote is a runaway


def _blank(v: str) -> str | None:
    v = v.strip()
    return v or None


def _is_binary(data: bytes) -> bool:
    """Binary content, not text damaged by a few stray NUL bytes: NULs are over 1% of the first 64 KB, or
    the first line holds one. A handful of NULs in a text file cost only the lines that hold them."""
    head = data[:65536]
    first = head.split(b"\n", 1)[0]
    return b"\x00" in first or head.count(b"\x00") > len(head) // 100


def read_csv(data: bytes, source: str, *, encoding: str | None, delimiter: str = ",",
             max_record_lines: int = MAX_RECORD_LINES, line_offset: int = 0) -> SourceBatch:
    """Parse a delivered CSV. Rows with the wrong field count or undecodable bytes are quarantined.

    Raises :class:`LoadError` when the file has no header or is not text at all. ``line_offset``: the
    streaming reader hands over one block at a time behind the header line; its lines are numbered from
    ``line_offset + 2`` and the header is not counted again.
    """
    # Departments put whole documents in a cell; the csv module's 128 KiB default would quarantine them.
    csv.field_size_limit(1 << 30)
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise LoadError(f"{source}: empty file (0 data rows, no header)")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _is_binary(data):
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
    if not line_offset:
        batch.skipped.append(Skipped(1, 1, "header"))
    if encoding and enc == "utf-8" and normalise_encoding(encoding) == "gb18030":
        batch.notes.append(f"declared {encoding} but the file is UTF-8; decoded as UTF-8")
    mixed = utf8_lines_in(lines, enc)
    if mixed:
        batch.notes.append(f"{len(mixed)} line(s) were UTF-8 inside a {encoding or enc} file, decoded as UTF-8: "
                           f"lines {', '.join(str(m + line_offset) for m in mixed[:20])}{' …' if len(mixed) > 20 else ''}")

    # Feed decodable lines to the csv module, keeping each record's physical line span so the lake can
    # point staff to the exact line and the accounting can prove every line covered. A quoted field may
    # span up to ``max_record_lines`` lines; a record that does not parse over its span costs only its
    # first line (a stray quote), and reading resumes on the next line instead of swallowing the rest.
    i = 1
    n = len(lines)
    while i < n:
        text, raw = lines[i]
        start = i + 1 + line_offset  # 1-based physical line number
        if text is None:
            batch.bad_rows.append(
                BadRow(start, raw.decode(enc, errors="replace"), f"第{start}行无法按 {enc} 解码（编码错误）")
            )
            i += 1
            continue
        if "\x00" in text:
            batch.bad_rows.append(BadRow(start, text.replace("\x00", "\\0"), f"第{start}行含有 NUL 空字节（传输损坏）"))
            i += 1
            continue
        buf = text
        j = i
        # A record continues while its quotes are unbalanced, within the bound.
        while buf.count('"') % 2 == 1 and j + 1 < n and j + 1 - i < max_record_lines and lines[j + 1][0] is not None:
            j += 1
            buf += "\n" + lines[j][0]
        buf = buf.rstrip("\r")
        fields, reason = _parse(buf, delimiter, len(header))
        if reason is not None and j > i:
            # Over several lines it did not make one record: the opening quote was a stray one.
            one = text.rstrip("\r")
            batch.bad_rows.append(BadRow(start, one, f"第{start}行引号不配对（未闭合的引号），该行隔离，后续行照常读取"))
            i += 1
            continue
        last = j + 1 + line_offset
        i = j + 1
        if reason is not None:
            batch.bad_rows.append(BadRow(start, buf, reason.replace("{n}", str(start))))
            continue
        batch.rows.append(ParsedRow(start, {h: _blank(v) for h, v in zip(header, fields)},
                                    last_row=last if last > start else None))
    return batch


def _parse(buf: str, delimiter: str, width: int) -> tuple[list[str], str | None]:
    """One record's fields, or a reason (with ``{n}`` for its line number) why it is not one."""
    if not buf.strip():
        return [], "第{n}行为空行"
    if buf.count('"') % 2 == 1:
        return [], "第{n}行引号不配对（未闭合的引号）"
    try:
        fields = next(csv.reader(io.StringIO(buf), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return [], "第{n}行无法解析：" + str(exc)
    if len(fields) != width:
        return fields, "第{n}行字段数 " + f"{len(fields)} 与表头 {width} 不一致（截断或多余分隔符）"
    return fields, None
