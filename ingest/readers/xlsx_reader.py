"""Excel workbooks (.xlsx, and legacy .xls): named or all sheets, title rows above the header, values kept
as the text a person sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
import zipfile
from collections.abc import Iterable, Sequence

from ingest.accounting import xlsx_rows
from ingest.records import BadRow, LoadError, ParsedRow, Skipped, SourceBatch, check_unique_header

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


Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (1-based, inclusive)


def header_names(rows: list[list[str | None]], merges: Iterable[Merge], first_row: int) -> list[str]:
    """Column names from a header of one or more rows, merged cells spread over their range.

    Levels join with '/': a 产权人 cell merged over 姓名 | 证件号码 gives 产权人/姓名 and 产权人/证件号码;
    a cell merged down through the levels (序号) is one name.
    """
    grid = [list(r) for r in rows]
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r += [None] * (width - len(r))
    last_row = first_row + len(grid) - 1
    for r1, c1, r2, c2 in merges:
        if r2 < first_row or r1 > last_row:
            continue
        value = None
        if first_row <= r1 <= last_row and c1 - 1 < width:
            value = grid[r1 - first_row][c1 - 1]
        for r in range(max(r1, first_row), min(r2, last_row) + 1):
            for c in range(c1, min(c2, width) + 1):
                grid[r - first_row][c - 1] = value
    names = []
    for c in range(width):
        parts: list[str] = []
        for r in grid:
            if r[c] and (not parts or parts[-1] != r[c]):
                parts.append(r[c])
        names.append("/".join(parts))
    while names and not names[-1]:
        names.pop()
    return names


def _rows_to_batch(
    batch: SourceBatch,
    sheets: Iterable[tuple[str, Iterable[Sequence[object]], list[Merge]]],
    header_row: int,
    source: str,
    tag_sheet: bool,
    header_depth: int = 1,
) -> SourceBatch:
    """Fold each sheet's rows into ``batch``; every sheet must carry the same header.

    ``header_row`` is the last header row; the header spans ``header_depth`` rows ending there.
    """
    first_header = header_row - header_depth + 1
    for sheet_name, rows, merges in sheets:
        header: list[str] | None = None
        header_rows: list[list[str | None]] = []
        part = sheet_name if tag_sheet else None
        for excel_row, values in enumerate(rows, start=1):
            if excel_row < first_header:
                batch.skipped.append(Skipped(excel_row, excel_row, "title", part))
                continue
            texts = [cell_text(v) for v in values]
            if excel_row < header_row:
                header_rows.append(texts)
                batch.skipped.append(Skipped(excel_row, excel_row, "header", part))
                continue
            if excel_row == header_row:
                batch.skipped.append(Skipped(excel_row, excel_row, "header", part))
                header = header_names(header_rows + [texts], merges, first_header)
                if not header:
                    raise LoadError(f"{source}: header row {header_row} of sheet {sheet_name!r} is empty")
                check_unique_header(source, header, f"header row {header_row} of sheet {sheet_name!r}")
                if batch.header and header != batch.header:
                    raise LoadError(
                        f"{source}: sheet {sheet_name!r} has a different header from the first sheet "
                        f"({', '.join(set(header) ^ set(batch.header)) or 'column order'})"
                    )
                batch.header = header
                continue
            assert header is not None
            if all(t is None for t in texts):
                batch.skipped.append(Skipped(excel_row, excel_row, "blank", part))  # formatted but empty
                continue
            if any(t is not None for t in texts[len(header):]):
                batch.bad_rows.append(BadRow(excel_row, "\t".join(t or "" for t in texts),
                                             f"第{excel_row}行有表头之外的单元格值", part))
                continue
            texts += [None] * (len(header) - len(texts))
            batch.rows.append(ParsedRow(excel_row, dict(zip(header, texts[: len(header)])), part))
        if header is None:
            raise LoadError(f"{source}: sheet {sheet_name!r} has no header row {header_row}")
    return batch


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def xlsx_merges(data: bytes) -> dict[str, list[Merge]]:
    """Merged ranges per sheet name, read from the workbook XML (read-only openpyxl does not expose them).

    The <mergeCells> element follows a sheet's data, so each sheet part is scanned in chunks to its end.
    """
    out: dict[str, list[Merge]] = {}
    members = sheet_members(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name, member in members.items():
            merges: list[Merge] = []
            if member in z.namelist():
                with z.open(member) as f:
                    tail = b""
                    while chunk := f.read(1 << 20):
                        buf = tail + chunk
                        for c1, r1, c2, r2 in _MERGE.findall(buf):
                            merges.append((int(r1), _col(c1), int(r2), _col(c2)))
                        tail = buf[-200:]  # a range cut by the chunk edge completes next round
            out[name] = sorted(set(merges))
    return out


def sheet_members(data: bytes) -> dict[str, str]:
    """Sheet name → its XML part inside the workbook zip."""
    out: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        wb = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
        targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        names = set(z.namelist())
        for name, rid in re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
            target = targets.get(rid, b"").decode()
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if member in names:
                out[html.unescape(name.decode("utf-8"))] = member
    return out


def _pick(names: list[str], sheet: str | None, source: str) -> list[str]:
    if sheet == ALL_SHEETS:
        return names
    if sheet is None:
        return names[:1]
    if sheet not in names:
        raise LoadError(f"{source}: sheet {sheet!r} not found (sheets: {', '.join(names)})")
    return [sheet]


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes, members: list[str]) -> bool:
    """Whether any of these sheet parts holds a formula cell (``<f>``), scanned from the zip in chunks."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for member in members:
            with z.open(member) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    if _FORMULA.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def read_xlsx(data: bytes, source: str, *, sheet: str | None, header_row: int = 1, header_depth: int = 1) -> SourceBatch:
    """``sheet``: a name, None for the first sheet, or ``*`` for every sheet (same header on each).

    Read by python-calamine (Rust, about ten times openpyxl's speed). Calamine gives a formula cell's cached
    result, and nothing when a program wrote the formula without one; so a workbook whose sheets hold
    formulas is read by openpyxl instead, which keeps each formula as its text (never evaluated).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    sha = hashlib.sha256(data).hexdigest()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError(f"{source}: not an xlsx workbook (not a zip container)")
    try:
        members = sheet_members(data)
    except (KeyError, zipfile.BadZipFile) as exc:
        raise LoadError(f"{source}: workbook cannot be opened: {exc}") from exc
    names = _pick(list(members), sheet, source)
    if _has_formulas(data, [members[n] for n in names]):
        return _read_xlsx_openpyxl(data, source, sha, names, sheet == ALL_SHEETS, header_row, header_depth)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise LoadError(f"{source}: workbook cannot be opened: {exc}") from exc
    batch = SourceBatch(source=source, sha256=sha, header=[], encoding="xlsx", unit="row")
    merges = xlsx_merges(data) if header_depth > 1 else {}
    xml_rows = xlsx_rows(data, {n: members[n] for n in names})

    def rows(name: str) -> list[list[object]]:
        values = [[None if v == "" else v for v in r] for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        # Calamine ends a sheet at its last cell with a value; rows below it that the sheet still lists
        # (formatted, empty) are read as empty, as openpyxl reads them, so each is accounted as blank.
        last = int(xml_rows[name].max()) if xml_rows[name].size else 0
        return values + [[] for _ in range(last - len(values))]

    try:
        sheets = ((n, rows(n), merges.get(n, [])) for n in names)
        return _rows_to_batch(batch, sheets, header_row, source, tag_sheet=sheet == ALL_SHEETS,
                              header_depth=header_depth)
    finally:
        wb.close()


def _read_xlsx_openpyxl(data: bytes, source: str, sha: str, names: list[str], tag_sheet: bool, header_row: int,
                        header_depth: int) -> SourceBatch:
    import openpyxl

    try:
        # data_only=False: a cell holding a formula is kept as its text, never evaluated.
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise LoadError(f"{source}: workbook cannot be opened: {exc}") from exc
    try:
        batch = SourceBatch(source=source, sha256=sha, header=[], encoding="xlsx", unit="row")
        merges = xlsx_merges(data) if header_depth > 1 else {}
        sheets = ((n, wb[n].iter_rows(values_only=True), merges.get(n, [])) for n in names)
        return _rows_to_batch(batch, sheets, header_row, source, tag_sheet=tag_sheet, header_depth=header_depth)
    finally:
        wb.close()


def read_xls(data: bytes, source: str, *, sheet: str | None, header_row: int = 1, header_depth: int = 1) -> SourceBatch:
    """Legacy BIFF .xls workbooks (Excel 97–2003), still exported by older department systems."""
    import xlrd

    sha = hashlib.sha256(data).hexdigest()
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LoadError(f"{source}: not an .xls workbook (no OLE2 signature)")
    try:
        # formatting_info gives the merged ranges a multi-row header needs.
        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=header_depth > 1)
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
        batch = SourceBatch(source=source, sha256=sha, header=[], encoding="xls", unit="row")
        def merges(sh) -> list[Merge]:  # xlrd: (rlo, rhi, clo, chi), 0-based, hi exclusive
            return [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in getattr(sh, "merged_cells", [])]

        sheets = ((n, values(book.sheet_by_name(n)), merges(book.sheet_by_name(n))) for n in names)
        return _rows_to_batch(batch, sheets, header_row, source, tag_sheet=sheet == ALL_SHEETS,
                              header_depth=header_depth)
    finally:
        book.release_resources()
