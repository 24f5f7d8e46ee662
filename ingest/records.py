"""The unit a reader hands to the lake writer: parsed rows and quarantined rows of one source."""

from __future__ import annotations

from dataclasses import dataclass, field


class LoadError(Exception):
    """A whole source cannot be loaded (unreadable file, schema drift on required columns).

    The message names the source and the reason; nothing of the source is published.
    """


@dataclass
class ParsedRow:
    row_number: int  # 1-based physical record number (CSV header = 1; xlsx Excel row; API position)
    values: dict[str, str | None]  # source column name → text as delivered
    part: str | None = None  # the sheet, when a workbook delivers one feed over several sheets


@dataclass
class BadRow:
    row_number: int
    raw_text: str
    reason: str
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

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.bad_rows)
