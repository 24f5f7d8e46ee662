"""Excel workbooks (.xlsx): a named sheet, title rows above the header, values kept as delivered text."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

from ingest.records import BadRow, LoadError, ParsedRow, SourceBatch


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


def read_xlsx(data: bytes, source: str, *, sheet: str | None, header_row: int = 1) -> SourceBatch:
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
        if sheet is not None and sheet not in wb.sheetnames:
            raise LoadError(f"{source}: sheet {sheet!r} not found (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        batch: SourceBatch | None = None
        for excel_row, values in enumerate(rows, start=1):
            if excel_row < header_row:
                continue
            texts = [cell_text(v) for v in values]
            if excel_row == header_row:
                header = [t or "" for t in texts]
                while header and not header[-1]:
                    header.pop()
                if not header:
                    raise LoadError(f"{source}: header row {header_row} of sheet {ws.title!r} is empty")
                batch = SourceBatch(source=source, sha256=sha, header=header, encoding="xlsx")
                continue
            assert batch is not None and header is not None
            if all(t is None for t in texts):
                continue  # trailing formatted-but-empty rows are not records
            extra = [t for t in texts[len(header) :] if t is not None]
            if extra:
                batch.bad_rows.append(
                    BadRow(excel_row, "\t".join(t or "" for t in texts), f"第{excel_row}行有表头之外的单元格值")
                )
                continue
            texts += [None] * (len(header) - len(texts))
            batch.rows.append(ParsedRow(excel_row, dict(zip(header, texts[: len(header)]))))
        if batch is None:
            raise LoadError(f"{source}: sheet {ws.title!r} has no header row {header_row}")
        return batch
    finally:
        wb.close()
