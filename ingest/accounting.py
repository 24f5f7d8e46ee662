"""Nothing lost, counted against the delivery itself: a file's physical units (lines of a text file, rows
of each sheet) are counted here without the reader, and every unit must be covered by exactly one landed
record, one quarantine entry or one accounted non-record (header, title row, blank line).

A check of ``read = written + quarantined`` only counts what the parser produced; a parser that swallows
7,000 lines into one record passes it. This check is against the bytes.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from ingest.records import LoadError, SourceBatch

TEXT_FORMATS = frozenset({"csv", "jsonl", "ndjson"})


@dataclass(frozen=True)
class Cover:
    unit: str  # line | row | record
    physical: int  # counted from the delivery, not from the reader
    landed: int  # units covered by landed records
    quarantined: int
    skipped: int  # header, title rows, blank lines


def count_lines(data: bytes) -> int:
    """Physical lines: line terminators, plus a last line that has none. UTF-16 is counted in code units."""
    if not data:
        return 0
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data[: len(data) // 2 * 2].decode("utf-16", errors="replace")
        return text.count("\n") + (0 if text.endswith("\n") else 1)
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def ends_with_terminator(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return len(data) % 2 == 0 and data[-2:] in (b"\n\x00", b"\x00\n")
    return data.endswith(b"\n")


_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')


def xlsx_rows(data: bytes, sheet_members: dict[str, str]) -> dict[str, np.ndarray]:
    """Row numbers present in each sheet's XML (``<row r="N">``), read from the zip without a workbook parser."""
    import io

    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name, member in sheet_members.items():
            rows: list[int] = []
            with z.open(member) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    buf = tail + chunk
                    cut = buf.rfind(b"<")  # a tag cut by the chunk edge completes next round
                    rows += [int(r) for r in _ROW.findall(buf, 0, cut if cut > 0 else len(buf))]
                    tail = buf[cut:] if cut > 0 else b""
                rows += [int(r) for r in _ROW.findall(tail)]
            out[name] = np.unique(np.asarray(rows, dtype=np.int64))
    return out


# A sheet reader yields rows the XML does not hold (empty rows above the header, gaps) as empty rows.
_MAY_BE_ABSENT = frozenset({"blank", "title"})


def _ids(spans: list[tuple[int, int]]) -> np.ndarray:
    if not spans:
        return np.empty(0, dtype=np.int64)
    a = np.asarray(spans, dtype=np.int64)
    return span_ids(a[:, 0], a[:, 1])


def span_ids(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Every unit number the spans ``first[i]..last[i]`` cover (a one-line record covers its line)."""
    first, last = np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)
    if not first.size or (first == last).all():
        return first
    lengths = last - first + 1
    if (lengths < 1).any():
        raise ValueError("a span ends before it starts")
    starts = np.repeat(first, lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts + offsets


def cover_part(label: str, unit: str, present: np.ndarray, landed: np.ndarray, quarantined: np.ndarray,
               skipped: np.ndarray, absent_ok: np.ndarray | None = None) -> tuple[int, int, int]:
    """Check one part (a file, a sheet): the unit numbers landed, quarantined and skipped must cover
    ``present`` exactly once. ``absent_ok``: blank or title rows a sheet reader reports that the file may not
    hold. Returns (landed, quarantined, skipped) unit counts; raises naming the first gap."""
    where = {"line": "第{}行", "row": "第{}行", "record": "第{}条"}[unit]
    blank = np.empty(0, np.int64) if absent_ok is None else absent_ok[np.isin(absent_ok, present)]
    ids = np.concatenate([landed, quarantined, skipped, blank])
    uniq, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        n = int(uniq[counts > 1][0])
        raise LoadError(f"{label}: {unit} {n} is covered twice (landed and quarantined): "
                        f"{where.format(n)}重复计数，装载未发布")
    beyond = np.setdiff1d(uniq, present, assume_unique=True)
    if beyond.size:
        raise LoadError(f"{label}: the reader produced {unit} {int(beyond[0])}, which the delivery does not hold")
    if uniq.size != present.size:  # uniq ⊆ present, so equal sizes mean equal sets
        missing = np.setdiff1d(present, uniq, assume_unique=True)
        n = int(missing[0])
        raise LoadError(
            f"{label}: {missing.size} of {present.size} physical {unit}s neither landed nor quarantined, "
            f"the first is {unit} {n}: {where.format(n)}起共{missing.size}个未入湖也未隔离，装载未发布")
    return int(landed.size), int(quarantined.size), int(skipped.size + blank.size)


def check_cover(batch: SourceBatch, units: dict[str | None, np.ndarray]) -> Cover:
    """Require every physical unit of every part to be covered exactly once; raise naming the first gap.

    ``units``: part (sheet name, or None for a text file) → the unit numbers present in the delivery.
    Blank and title rows a sheet reader saw that the file does not hold (absent rows read as empty) are ignored.
    """
    landed = quarantined = skipped = 0
    for part, present in units.items():
        rows = _ids([r.span for r in batch.rows if r.part == part])
        bad = _ids([b.span for b in batch.bad_rows if b.part == part])
        skip = _ids([(s.first, s.last) for s in batch.skipped if s.part == part and s.what not in _MAY_BE_ABSENT])
        blank = _ids([(s.first, s.last) for s in batch.skipped if s.part == part and s.what in _MAY_BE_ABSENT])
        label = f"{batch.source}" + (f"#{part}" if part else "")
        n_landed, n_q, n_skip = cover_part(label, batch.unit, present, rows, bad, skip, blank)
        landed, quarantined, skipped = landed + n_landed, quarantined + n_q, skipped + n_skip
    physical = int(sum(u.size for u in units.values()))
    return Cover(batch.unit, physical, landed, quarantined, skipped)


@dataclass(frozen=True)
class FileScan:
    """What one streaming pass over a delivered file's bytes knows, before any reader sees it."""

    size: int
    mtime_ns: int  # when scanned: a file that differs after its read was still being written
    sha256: str
    lines: int  # physical lines (see count_lines)
    terminated: bool  # ends with a line terminator
    utf16: bool  # starts with a UTF-16 BOM: lines are counted in code units, from the whole file


def scan_file(path: "os.PathLike[str] | str", chunk_bytes: int = 8 << 20) -> FileScan:
    """sha256, size and physical line count in one pass of fixed-size chunks (memory does not grow with
    the file). A UTF-16 file is counted from its decoded text (LF bytes are not its line ends)."""
    import hashlib

    h = hashlib.sha256()
    size = newlines = 0
    first = last = b""
    with open(path, "rb") as f:
        mtime_ns = os.fstat(f.fileno()).st_mtime_ns
        while chunk := f.read(chunk_bytes):
            if not first:
                first = chunk[:2]
            h.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            last = (last + chunk)[-2:]
    utf16 = first in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if utf16:
        data = open(path, "rb").read()
        return FileScan(size, mtime_ns, h.hexdigest(), count_lines(data), ends_with_terminator(data), True)
    terminated = last.endswith(b"\n")
    return FileScan(size, mtime_ns, h.hexdigest(), newlines + (0 if terminated or not size else 1), terminated, False)
