"""Excel workbooks (.xlsx, and legacy .xls): named or all sheets, title rows above the header, values kept
as the text a person sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence

from ingest.records import BadRow, LoadError, ParsedRow, SourceBatch

ALL_SHEETS = "*"


def cell_text(value: object) -> str | None:
    """The text a person sees in the cell. Whole floats lose their '.0'; formulas stay as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text or None


def _rows_to_batch(
    batch: SourceBatch,
    sheets: Iterable[tuple[str, Iterable[Sequence[object]]]],
    header_row: int,
    source: str,
    tag_sheet: bool,
) -> SourceBatch:
    """Fold each sheet's rows into ``batch``; every sheet must carry the same header."""
    for sheet_name, rows in sheets:
        header: list[str] | None = None
        part = sheet_name if tag_sheet else None
        for excel_row, values in enumerate(rows, start=1):
            if excel_row < header_row:
                continue
            texts = [cell_text(v) for v in values]
            if excel_row == header_row:
                header = [t or "" for t in texts]
                while header and not header[-1]:
                    header.pop()
                if not header:
                    raise LoadError(f"{source}: header row {header_row} of sheet {sheet_name!r} is empty")
                if batch.header and header != batch.header:
                    raise LoadError(
                        f"{source}: sheet {sheet_name!r} has a different header from the first sheet "
                        f"({', '.join(set(header) ^ set(batch.header)) or 'column order'})"
                    )
                batch.header = header
                continue
            assert header is not None
            if all(t is None for t in texts):
                continue  # trailing formatted-but-empty rows are not records
            if any(t is not None for t in texts[len(header):]):
                batch.bad_rows.append(BadRow(excel_row, "\t".join(t or "" for t in texts),
                                             f"第{excel_row}行有表头之外的单元格值", part))
                continue
            texts += [None] * (len(header) - len(texts))
            batch.rows.append(ParsedRow(excel_row, dict(zip(header, texts[: len(header)])), part))
        if header is None:
            raise LoadError(f"{source}: sheet {sheet_name!r} has no header row {header_row}")
    return batch


def _pick(names: list[str], sheet: str | None, source: str) -> list[str]:
    if sheet == ALL_SHEETS:
        return names
    if sheet is None:
        return names[:1]
    if sheet not in names:
        raise LoadError(f"{source}: sheet {sheet!r} not found (sheets: {', '.join(names)})")
    return [sheet]


def read_xlsx(data: bytes, source: str, *, sheet: str | None, header_row: int = 1) -> SourceBatch:
    """``sheet``: a name, None for the first sheet, or ``*`` for every sheet (same header on each)."""
    import openpyxl

    sha = hashlib.sha256(data).hexdigest()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError(f"{source}: not an xlsx workbook (not a zip container)")
    try:
        # data_only=False: a cell holding a formula is kept as its text, never evaluated.
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise LoadError(f"{source}: workbook cannot be opened: {exc}") from exc
    try:
        names = _pick(wb.sheetnames, sheet, source)
        batch = SourceBatch(source=source, sha256=sha, header=[], encoding="xlsx")
        sheets = ((n, wb[n].iter_rows(values_only=True)) for n in names)
        return _rows_to_batch(batch, sheets, header_row, source, tag_sheet=sheet == ALL_SHEETS)
    finally:
        wb.close()


def read_xls(data: bytes, source: str, *, sheet: str | None, header_row: int = 1) -> SourceBatch:
    """Legacy BIFF .xls workbooks (Excel 97–2003), still exported by older department systems."""
    import xlrd

    sha = hashlib.sha256(data).hexdigest()
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LoadError(f"{source}: not an .xls workbook (no OLE2 signature)")
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        raise LoadError(f"{source}: workbook cannot be opened: {exc}") from exc

    def values(sh) -> Iterable[list[object]]:
        for r in range(sh.nrows):
            out: list[object] = []
            for c in sh.row(r):
                if c.ctype == xlrd.XL_CELL_DATE:
                    out.append(xlrd.xldate.xldate_as_datetime(c.value, book.datemode))
                elif c.ctype == xlrd.XL_CELL_BOOLEAN:
                    out.append(bool(c.value))
                elif c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    out.append(None)
                else:
                    out.append(c.value)
            yield out

    try:
        names = _pick(book.sheet_names(), sheet, source)
        batch = SourceBatch(source=source, sha256=sha, header=[], encoding="xls")
        return _rows_to_batch(batch, ((n, values(book.sheet_by_name(n))) for n in names), header_row, source,
                              tag_sheet=sheet == ALL_SHEETS)
    finally:
        book.release_resources()
