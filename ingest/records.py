"""The unit a reader hands to the lake writer: parsed rows and quarantined rows of one source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa


class LoadError(Exception):
    """A whole source cannot be loaded (unreadable file, schema drift on required columns).

    The message names the source and the reason; nothing of the source is published.
    """


def check_unique_header(source: str, header: list[str], where: str = "header") -> None:
    """Refuse a header naming one column twice: which of the two holds the field is unknown, and keying rows
    by name would keep only the last one's values, silently. Blank names (unnamed spare columns) may repeat."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name and name in seen:
            raise LoadError(f"{source}: {where} names column {name!r} twice (columns {seen[name]} and {i}): "
                            f"表头列名重复「{name}」（第{seen[name]}列、第{i}列），无法确定取值列，整个文件隔离")
        seen.setdefault(name, i)


@dataclass
class ParsedRow:
    row_number: int  # 1-based physical record number (CSV header = 1; xlsx Excel row; API position)
    values: dict[str, str | None]  # source column name → text as delivered
    part: str | None = None  # the sheet, when a workbook delivers one feed over several sheets
    last_row: int | None = None  # last physical line when a quoted field spans lines (None: one line)

    @property
    def span(self) -> tuple[int, int]:
        return self.row_number, self.last_row or self.row_number


@dataclass
class BadRow:
    row_number: int
    raw_text: str
    reason: str
    part: str | None = None
    last_row: int | None = None

    @property
    def span(self) -> tuple[int, int]:
        return self.row_number, self.last_row or self.row_number


@dataclass
class Skipped:
    """Physical lines or rows a reader consumed that are not records: the header, title rows above it,
    blank lines of JSON lines, empty formatted rows of a sheet. They are accounted, not silently gone."""

    first: int
    last: int
    what: str  # header | title | blank
    part: str | None = None


@dataclass
class SourceBatch:
    """Everything read from one source (a file, or one API pull)."""

    source: str  # landing-relative path or URL
    sha256: str
    header: list[str]
    rows: list[ParsedRow] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unit: str = "line"  # what the physical count counts: line (text files) | row (sheets) | record (documents, APIs)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.bad_rows)


@dataclass
class Block:
    """A streaming reader's unit: a run of records as Arrow columns, with each record's physical span, and
    the lines of that run that were quarantined or are not records. Blocks of one source come in order."""

    columns: dict[str, pa.Array]  # source column → values (text, trimmed, empty as null)
    first: np.ndarray  # each record's first physical line
    last: np.ndarray  # and its last (a quoted field may span lines)
    bad: list[BadRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    fast: bool = True  # parsed by the columnar engine, not line by line
    notes: list[str] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return len(self.first)


@dataclass
class Stream:
    """A source being read block by block. ``header``: the delivered header when the format has one (CSV),
    None when the fields are known only from the records (JSON, XML)."""

    header: list[str] | None
    encoding: str | None
    notes: list[str]
    blocks: Iterator[Block]
    unit: str = "line"


Item = ParsedRow | BadRow | Skipped
BLOCK_ROWS = 50_000


def blocks_from_items(items: Iterable[Item], size: int | None = None) -> Iterator[Block]:
    """Blocks of at most ``size`` records from a reader that yields one record (or bad or skipped line) at a
    time: the columns of a block are the fields its records name, in first-seen order."""
    from ingest.arrow_text import strings

    size = size or BLOCK_ROWS
    rows: list[ParsedRow] = []
    bad: list[BadRow] = []
    skipped: list[Skipped] = []

    def block() -> Block:
        names: dict[str, None] = {}
        for r in rows:
            names.update(dict.fromkeys(r.values))
        cols = {k: strings([r.values.get(k) for r in rows]) for k in names}
        first = np.fromiter((r.row_number for r in rows), np.int64, len(rows))
        last = np.fromiter((r.span[1] for r in rows), np.int64, len(rows))
        return Block(cols, first, last, list(bad), list(skipped), fast=False)

    for item in items:
        if isinstance(item, ParsedRow):
            rows.append(item)
        elif isinstance(item, BadRow):
            bad.append(item)
        else:
            skipped.append(item)
        if len(rows) + len(bad) + len(skipped) >= size:
            yield block()
            rows, bad, skipped = [], [], []
    if rows or bad or skipped:
        yield block()


def collect(batch: SourceBatch, items: Iterable[Item]) -> SourceBatch:
    """A whole-source batch from a reader's items; its header is the fields the records named."""
    seen: dict[str, None] = dict.fromkeys(batch.header)
    for item in items:
        if isinstance(item, ParsedRow):
            batch.rows.append(item)
            seen.update(dict.fromkeys(item.values))
        elif isinstance(item, BadRow):
            batch.bad_rows.append(item)
        else:
            batch.skipped.append(item)
    batch.header = list(seen)
    return batch
