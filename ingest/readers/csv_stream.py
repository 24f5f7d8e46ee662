"""Streaming CSV: a delivered file read block by block into Arrow tables, never whole in memory.

Each block (``BLOCK_BYTES`` of raw bytes, cut at a line end) takes the fast path when nothing in it needs
the careful one: no quote character, no NUL byte, no run of UTF-8 Chinese inside a GBK file. The fast
path transcodes in C (ingest.readers.iconv) and parses with pyarrow.csv, strictly (a row of the wrong
width, a blank line or bad bytes fail the block). A block that fails, or is not eligible, is parsed
line by line by ``read_csv``: quoted fields over several lines, stray quotes, undecodable lines and
short rows are handled there, with their physical line numbers. Both paths give the same values.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest.arrow_text import blank_to_null, strings
from ingest.readers import iconv
from ingest.readers.csv_reader import MAX_RECORD_LINES, read_csv
from ingest.records import Block, LoadError, Skipped, Stream

BLOCK_BYTES = 16 << 20
# Two UTF-8-encoded CJK characters in a row ([E4-E9][80-BF][80-BF] twice): how a line pasted in from a UTF-8
# system shows in GBK bytes. Found by mapping each byte to its class and searching the class string, three
# times faster than the equivalent regular expression (which also holds the GIL throughout).
_CLASSES = bytes(76 if 0xE4 <= b <= 0xE9 else 67 if 0x80 <= b <= 0xBF else 111 for b in range(256))  # L, C, o
_UTF8_CJK_RUN = b"LCCLCC"


def has_utf8_cjk_run(raw: bytes) -> bool:
    return raw.translate(_CLASSES).find(_UTF8_CJK_RUN) != -1


def _fast(raw: bytes, enc: str, header: list[str], delimiter: str, first_line: int, lines: int) -> Block | None:
    """The block parsed by pyarrow, or None when it must take the careful path."""
    if b'"' in raw or b"\x00" in raw:
        return None
    if enc == "gb18030":
        if has_utf8_cjk_run(raw):
            return None
        try:
            text = iconv.gb18030_to_utf8(raw)
        except iconv.IconvError:
            return None
    elif enc == "utf-8":
        text = raw
    else:
        return None
    try:
        table = pacsv.read_csv(
            pa.py_buffer(text),
            read_options=pacsv.ReadOptions(column_names=header, use_threads=False, block_size=len(text) + 1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False,
                                             newlines_in_values=False),
            # iconv's output is valid UTF-8 by construction; a UTF-8 delivery is checked.
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=False, check_utf8=enc != "gb18030"),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != lines:
        return None
    n = np.arange(first_line, first_line + lines, dtype=np.int64)
    cols = {h: table.column(h) for h in header}
    return Block({h: blank_to_null(c.chunk(0) if c.num_chunks == 1 else c.combine_chunks()) for h, c in cols.items()},
                 n, n)


def _careful(raw: bytes, header_raw: bytes, source: str, encoding: str | None, delimiter: str,
             first_line: int, max_record_lines: int) -> Block:
    b = read_csv(header_raw + raw, source, encoding=encoding, delimiter=delimiter,
                 max_record_lines=max_record_lines, line_offset=first_line - 2)
    cols = {h: strings([r.values.get(h) for r in b.rows]) for h in b.header}
    first = np.fromiter((r.row_number for r in b.rows), np.int64, len(b.rows))
    last = np.fromiter((r.span[1] for r in b.rows), np.int64, len(b.rows))
    # The header line is the stream's first block's, not each careful block's that re-reads it.
    skipped = [k for k in b.skipped if k.what != "header"]
    return Block(cols, first, last, b.bad_rows, skipped, fast=False, notes=b.notes)


def _blocks(f: BinaryIO, first: bytes, block_bytes: int, max_record_lines: int) -> Iterator[tuple[bytes, int, int]]:
    """Raw blocks cut at line ends, with the physical number of each block's first line and its line count.
    A block whose quotes do not pair up is extended, up to ``max_record_lines`` lines, so that a quoted
    field spanning lines is not cut in two."""
    line = 2
    carry = first
    eof = False
    while not eof or carry:
        chunk = f.read(block_bytes) if not eof else b""
        eof = eof or not chunk
        buf = carry + chunk
        cut = buf.rfind(b"\n") + 1 if not eof else len(buf)
        if cut == 0:
            carry = buf
            continue
        block, carry = buf[:cut], buf[cut:]
        extra = 0
        while b'"' in block and block.count(b'"') % 2 and carry and extra < max_record_lines:
            nl = carry.find(b"\n")
            if nl == -1:
                more = f.read(block_bytes)
                if not more:
                    block, carry = block + carry, b""
                    break
                carry += more
                continue
            block, carry = block + carry[: nl + 1], carry[nl + 1 :]
            extra += 1
        lines = block.count(b"\n")
        yield block, line, lines
        line += lines
        eof = eof and not carry


def stream_csv(f: BinaryIO, source: str, *, encoding: str | None, delimiter: str = ",",
               max_record_lines: int = MAX_RECORD_LINES, block_bytes: int | None = None) -> Stream:
    """Read the header from the start of ``f``, then stream its blocks (two transcoded at a time)."""
    block_bytes = block_bytes or BLOCK_BYTES
    head = f.read(min(block_bytes, 1 << 20))
    nl = head.find(b"\n")
    while nl == -1:
        more = f.read(1 << 20)
        if not more:
            break
        head += more
        nl = head.find(b"\n")
    header_raw = head[: nl + 1] if nl != -1 else head
    rest = head[len(header_raw):]
    # The header and encoding come from read_csv on the file's opening (its first 64 KB of whole lines),
    # so both paths agree on them; the lines it reads are read again, as the first block.
    opening = head if nl == -1 else head[: max(head.rfind(b"\n", 0, 1 << 16), nl) + 1]
    probe = read_csv(opening, source, encoding=encoding, delimiter=delimiter, max_record_lines=max_record_lines)
    enc = probe.encoding or "utf-8"
    header = probe.header
    if enc not in ("gb18030", "utf-8", "utf-8-sig"):
        raise LoadError(f"{source}: streaming needs an 8-bit encoding, got {enc}")  # caller reads it whole
    if enc == "utf-8-sig":
        enc = "utf-8"
    declared = "utf-8" if probe.encoding in ("utf-8", "utf-8-sig") else encoding

    def blocks() -> Iterator[Block]:
        yield Block({}, np.empty(0, np.int64), np.empty(0, np.int64), skipped=[Skipped(1, 1, "header")])
        with ThreadPoolExecutor(2) as pool:
            pending = []
            for raw, line, lines in _blocks(f, rest, block_bytes, max_record_lines):
                pending.append((pool.submit(_fast, raw, enc, header, delimiter, line, lines), raw, line))
                if len(pending) >= 2:
                    yield _finish(*pending.pop(0))
            while pending:
                yield _finish(*pending.pop(0))

    def _finish(fut, raw: bytes, line: int) -> Block:
        block = fut.result()
        if block is not None:
            return block
        return _careful(raw, header_raw, source, declared, delimiter, line, max_record_lines)

    # The probe's own notes on UTF-8 lines would repeat those of the blocks that re-read its lines.
    notes = [n for n in probe.notes if n.startswith("declared")]
    return Stream(header, probe.encoding or enc, notes, blocks(), unit="line")
