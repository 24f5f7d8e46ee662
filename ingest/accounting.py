"""Nothing lost, counted against the delivery itself: a file's physical units (lines of a text file, rows
of each sheet) are counted here without the reader, and every unit must be covered by exactly one landed
record, one quarantine entry or one accounted non-record (header, title row, blank line).

A check of ``read = written + quarantined`` only counts what the parser produced; a parser that swallows
7,000 lines into one record passes it. This check is against the bytes.
"""

from __future__ import annotations

import codecs
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
    lengths = a[:, 1] - a[:, 0] + 1
    if (lengths < 1).any():
        raise ValueError("a span ends before it starts")
    starts = np.repeat(a[:, 0], lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts + offsets


def check_cover(batch: SourceBatch, units: dict[str | None, np.ndarray]) -> Cover:
    """Require every physical unit of every part to be covered exactly once; raise naming the first gap.

    ``units``: part (sheet name, or None for a text file) → the unit numbers present in the delivery.
    Blank and title rows a sheet reader saw that the file does not hold (absent rows read as empty) are ignored.
    """
    where = {"line": "第{}行", "row": "第{}行", "record": "第{}条"}[batch.unit]
    landed = quarantined = skipped = 0
    for part, present in units.items():
        rows = [r.span for r in batch.rows if r.part == part]
        bad = [b.span for b in batch.bad_rows if b.part == part]
        skip = [(s.first, s.last) for s in batch.skipped if s.part == part and s.what not in _MAY_BE_ABSENT]
        blank = _ids([(s.first, s.last) for s in batch.skipped if s.part == part and s.what in _MAY_BE_ABSENT])
        blank = blank[np.isin(blank, present)]
        counted = [_ids(rows), _ids(bad), _ids(skip)]
        ids = np.concatenate(counted + [blank])
        label = f"{batch.source}" + (f"#{part}" if part else "")
        uniq, counts = np.unique(ids, return_counts=True)
        if (counts > 1).any():
            n = int(uniq[counts > 1][0])
            raise LoadError(f"{label}: {batch.unit} {n} is covered twice (landed and quarantined): "
                            f"{where.format(n)}重复计数，装载未发布")
        beyond = np.setdiff1d(uniq, present)
        if beyond.size:
            n = int(beyond[0])
            raise LoadError(f"{label}: the reader produced {batch.unit} {n}, which the delivery does not hold")
        missing = np.setdiff1d(present, uniq)
        if missing.size:
            n = int(missing[0])
            raise LoadError(
                f"{label}: {missing.size} of {present.size} physical {batch.unit}s neither landed nor quarantined, "
                f"the first is {batch.unit} {n}: {where.format(n)}起共{missing.size}个未入湖也未隔离，装载未发布")
        landed += int(counted[0].size)
        quarantined += int(counted[1].size)
        skipped += int(counted[2].size) + int(blank.size)
    physical = int(sum(u.size for u in units.values()))
    return Cover(batch.unit, physical, landed, quarantined, skipped)
