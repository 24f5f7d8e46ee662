"""Department sinks: every delivery form of the catalogue, streamed, with truth bookkeeping.

A sink takes :class:`simulator.defects.Record` objects whose values are keyed by the contract's target
column names and writes them under the department's own names (``physicalName``), in contract order,
recording one truth row per delivered record with the record number the pipeline's reader gives it
(CSV: physical line, header = 1; JSON lines: physical line; JSON/XML: 1-based position; xlsx/xls: the
Excel row of its sheet). Rows picked for duplication are appended again, unchanged, after all others:
the copy is the record that breaks ``<primary key>:unique``.

| sink | form |
| --- | --- |
| :class:`CsvSink` | CSV in GBK, GB18030, UTF-8 with BOM (``utf-8-sig``) or UTF-8; CRLF or LF |
| :class:`JsonLinesSink` | one JSON object per line |
| :class:`JsonDocSink` | one JSON document, records under a dotted path (``data.records``), envelope fields before |
| :class:`XmlSink` | ``<?xml encoding="GBK|UTF-8"?>``, one element per record, fields as children or ``@`` attributes |
| :class:`XlsxSink` | xlsx: title rows, a two-row merged header from ``group/leaf`` names, a sheet per record group (``sheet_of``: a month, a county) each with its title and header, extra sheets (填报说明) |
| :class:`XlsSink` | legacy .xls (BIFF8, xlwt): 65,536 rows per sheet, so big registers continue on sheets 2, 3 … |

Text files are written as they go to a hidden ``.*.tmp`` name and renamed on close. Two defects need the
sink's help, since they are about bytes rather than values (line-based forms only: CSV, JSON lines):
- ``truncated_last_line``: the export was cut off; the last record loses its second half and its line end.
- ``mojibake``: one record's line was written in the wrong encoding (UTF-8 bytes in a GBK file, GBK bytes
  in a UTF-8 file). Only records holding non-ASCII text can be hit (others look the same in both).
Both are recorded in the truth as defects; a truncated line breaks ``_record:unparseable`` (the reader
quarantines it: too few fields, bad JSON) and the pipeline holds the whole delivery, since a file without its
final line end may still be being written. Mojibake breaks ``_record:encoding`` when the bytes cannot be read
back (GBK bytes in a UTF-8 file: quarantined); UTF-8 bytes in a GBK file are self-identifying, the reader
decodes them as UTF-8 (with a note), so that record keeps its values and its verdict. No contract rule
judges either.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from ingest.contracts import Contract
from simulator.atomic import atomic_path, write_bytes_atomic
from simulator.defects import Record, rule_id
from simulator.truth import TruthWriter

TRUNCATED = "_record:unparseable"
MOJIBAKE = "_record:encoding"


class FeedSink:
    """Common part: record numbering, duplicates, ground truth, the last-record hook."""

    first_data_row = 2  # CSV: header is physical record 1
    line_based = False
    wrong_encoding_recoverable = False

    def __init__(self, contract: Contract, landing_dir: Path, file_name: str, truth: TruthWriter,
                 duplicate_rate: float, rng: random.Random, *, day: int = 0, truncate_last: bool = False,
                 mojibake_rate: float = 0.0) -> None:
        self.contract = contract
        folder = (contract.delivery.path or contract.id.replace(".", "/") + "/x").rsplit("/", 1)[0]
        self.source = f"{folder}/{file_name}"
        self.path = landing_dir / self.source
        self.truth = truth
        self.duplicate_rate = duplicate_rate
        self.rng = rng
        self.day = day
        if (truncate_last or mojibake_rate) and not self.line_based:
            raise ValueError(f"{type(self).__name__}: truncation and mojibake need a line-based form (CSV, JSON lines)")
        self.truncate_last = truncate_last
        self.mojibake_rate = mojibake_rate
        self.rows = 0
        self.valid = 0
        self.truncated = 0
        self.mojibake = 0
        self._severity = {r.rule_id: r.severity for r in contract.rules}
        self._pk = contract.primary_key[0] if contract.primary_key else None
        self._duplicates: list[Record] = []
        self._pending: tuple[Record, bool] | None = None  # the last record: truncation may still cut it

    def _cells(self, rec: Record) -> list[str]:
        return [rec.values.get(c.name, "") or "" for c in self.contract.columns]

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        raise NotImplementedError

    def _row_number(self) -> int:
        return self.first_data_row + self.rows

    def _sheet(self) -> str | None:
        return None

    def write(self, rec: Record) -> None:
        wrong = False
        if self.mojibake_rate and self.rng.random() < self.mojibake_rate and _has_non_ascii(self._cells(rec)):
            wrong = True
        self._push(rec, wrong)
        if self.duplicate_rate > 0 and self.rng.random() < self.duplicate_rate and self._pk:
            self._duplicates.append(rec)

    def _push(self, rec: Record, wrong: bool) -> None:
        if self._pending is not None:
            self._deliver(*self._pending, truncate=False)
        self._pending = (rec, wrong)

    def _deliver(self, rec: Record, wrong: bool, truncate: bool) -> None:
        if wrong:
            # UTF-8 is self-identifying: a UTF-8 line inside a GBK file can be recognised and decoded, so the
            # record itself is intact. GBK bytes in a UTF-8 file cannot be read back: the record is lost.
            rec = _with_defect(rec, "mojibake", None if self.wrong_encoding_recoverable else MOJIBAKE)
            self.mojibake += 1
        if truncate:
            rec = _with_defect(rec, "truncated_last_line", TRUNCATED)
            self.truncated += 1
        self._emit(rec, wrong, truncate)
        self._record_truth(rec)

    def _record_truth(self, rec: Record) -> None:
        unknown = rec.broken - set(self._severity) - {TRUNCATED, MOJIBAKE}
        if unknown:
            raise ValueError(f"{self.contract.id}: defects break rules the contract does not have: {sorted(unknown)}")
        row_number = self._row_number()
        sheet = self._sheet()
        self.rows += 1
        is_valid = not any(self._severity.get(r, "error") == "error" for r in rec.broken)
        self.valid += is_valid
        self.truth.records.add({
            "contract_id": self.contract.id,
            "source": self.source,
            "row_number": row_number,
            "record_key": rec.values.get(self._pk, "") if self._pk else "",
            "entity_key": rec.entity_key,
            "defects": list(rec.defects),
            "broken_rules": sorted(rec.broken),
            "is_valid": is_valid,
            "sheet": sheet,
            "day": self.day,
        })

    def close(self) -> dict:
        self.rng.shuffle(self._duplicates)
        for original in self._duplicates:
            copy = Record(dict(original.values), original.entity_key, original.context,
                          defects=[*original.defects, "duplicate"],
                          broken=original.broken | {rule_id("duplicate", self._pk)})
            self._push(copy, False)
        if self._pending is not None:
            self._deliver(*self._pending, truncate=self.truncate_last)
            self._pending = None
        self._finish()
        return {"path": self.source, "records": self.rows, "valid": self.valid,
                "duplicates": len(self._duplicates), "truncated": self.truncated, "mojibake": self.mojibake}

    def _finish(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """Give up: nothing of this feed appears in landing/."""


def _has_non_ascii(cells: list[str]) -> bool:
    return any(not c.isascii() for c in cells)


def _with_defect(rec: Record, kind: str, rule: str | None) -> Record:
    return Record(dict(rec.values), rec.entity_key, rec.context, defects=[*rec.defects, kind],
                  broken=rec.broken | ({rule} if rule else set()))


def _split_encoding(encoding: str | None, bom: bool | None) -> tuple[str, bool]:
    enc = (encoding or "utf-8").lower().replace("_", "-")
    if enc in ("utf-8-sig", "utf8-sig"):
        return "utf-8", True if bom is None else bom
    return enc, bool(bom)


class _StreamedFileSink(FeedSink):
    """Writes as it goes into the temporary file, which is renamed into place on close (and dropped on abort)."""

    def _open(self, mode: str, **open_kw) -> None:
        self._ctx = atomic_path(self.path)
        self._fh = open(self._ctx.__enter__(), mode, **open_kw)

    def _footer(self) -> str:
        """What closes the document (a JSON array's brackets, the XML root's end tag)."""
        return ""

    def _finish(self) -> None:
        footer = self._footer()
        if footer:
            self._fh.write(footer)
        self._fh.close()
        self._ctx.__exit__(None, None, None)

    def abort(self) -> None:
        if not self._fh.closed:
            self._fh.close()
            self._ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)


class _TextFileSink(_StreamedFileSink):
    """Streams encoded lines to the temporary file; the wrong encoding for mojibake is the 'other' one."""

    line_based = True

    def __init__(self, *args, encoding: str | None = None, bom: bool | None = None, line_end: str = "\r\n",
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.encoding, self.bom = _split_encoding(encoding or self.contract.delivery.encoding, bom)
        self.wrong_encoding = "utf-8" if self.encoding in ("gbk", "gb18030", "gb2312", "cp936") else "gbk"
        self.wrong_encoding_recoverable = self.wrong_encoding == "utf-8"
        self.line_end = line_end
        self._open("wb")
        if self.bom:
            self._fh.write("\ufeff".encode("utf-8"))

    def _write_line(self, text: str, wrong: bool, truncate: bool) -> None:
        data = text.encode(self.wrong_encoding if wrong else self.encoding)
        if truncate:
            # Cut in the middle, on a character boundary of what was written: the line loses fields.
            cut = len(text) // 2
            data = text[:cut].encode(self.wrong_encoding if wrong else self.encoding)
            self._fh.write(data)
            return
        self._fh.write(data + self.line_end.encode("ascii"))


class CsvSink(_TextFileSink):
    """A Windows-style export: header row, the contract's delimiter and encoding, CRLF unless told."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._write_line(self._format([c.source for c in self.contract.columns]), False, False)

    def _format(self, cells: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf, delimiter=self.contract.delivery.delimiter, lineterminator="").writerow(cells)
        return buf.getvalue()

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        self._write_line(self._format(self._cells(rec)), wrong_encoding, truncate)


class JsonLinesSink(_TextFileSink):
    """One JSON object per line, department field names, empty values as null; no header line."""

    first_data_row = 1

    def __init__(self, *args, line_end: str = "\n", **kwargs) -> None:
        super().__init__(*args, line_end=line_end, **kwargs)

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        obj = {c.source: (rec.values.get(c.name) or None) for c in self.contract.columns}
        self._write_line(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), wrong_encoding, truncate)


class JsonDocSink(_StreamedFileSink):
    """One JSON document: ``envelope`` fields, then the records array at ``records_path`` (default: root)."""

    first_data_row = 1

    def __init__(self, *args, records_path: str | None = None, envelope: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        path = records_path if records_path is not None else (self.contract.delivery.records_path or "")
        parts = [p for p in path.split(".") if p]
        self.encoding = (self.contract.delivery.encoding or "utf-8").lower()
        self._open("w", encoding=self.encoding, newline="\n")
        head = ""
        for i, part in enumerate(parts):
            head += "{"
            if i == 0 and envelope:
                head += "".join(f"{json.dumps(k, ensure_ascii=False)}:{json.dumps(v, ensure_ascii=False)},"
                                for k, v in envelope.items())
            head += json.dumps(part, ensure_ascii=False) + ":"
        self._fh.write(head + "[\n")
        self._tail = "\n]" + "}" * len(parts) + "\n"

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        obj = {c.source: (rec.values.get(c.name) or None) for c in self.contract.columns}
        self._fh.write(("" if self.rows == 0 else ",\n") + json.dumps(obj, ensure_ascii=False, separators=(",", ":")))

    def _footer(self) -> str:
        return self._tail


class XmlSink(_StreamedFileSink):
    """``<root><record_tag …>…</record_tag></root>``; a column whose physicalName starts with ``@`` is an
    attribute, the others child elements. Declared GBK or UTF-8 (the contract's encoding)."""

    first_data_row = 1

    def __init__(self, *args, root_tag: str = "records", root_attrs: dict[str, str] | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.record_tag = self.contract.delivery.record_tag or "record"
        enc = (self.contract.delivery.encoding or "utf-8").upper()
        self.encoding = {"UTF8": "UTF-8", "GB18030": "GB18030", "GBK": "GBK"}.get(enc.replace("-", ""), enc)
        self._open("w", encoding=self.encoding, newline="\n")
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in (root_attrs or {}).items())
        self._fh.write(f'<?xml version="1.0" encoding="{self.encoding}"?>\n<{root_tag}{attrs}>\n')
        self._root_tag = root_tag

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        attrs, children = [], []
        for c in self.contract.columns:
            v = rec.values.get(c.name, "") or ""
            if c.source.startswith("@"):
                attrs.append(f" {c.source[1:]}={quoteattr(v)}")
            elif v == "":
                children.append(f"<{c.source}/>")
            else:
                children.append(f"<{c.source}>{escape(v)}</{c.source}>")
        self._fh.write(f"  <{self.record_tag}{''.join(attrs)}>{''.join(children)}</{self.record_tag}>\n")

    def _footer(self) -> str:
        return f"</{self._root_tag}>\n"


class XlsxSink(FeedSink):
    """A workbook exported from the department's system: a merged title row, the header, then data.

    The header is one row, or two when the contract's physicalNames are ``group/leaf`` (headerDepth 2):
    consecutive columns of a group share one group cell merged across them, and a column outside any group
    is one cell merged down both header rows — the layout ``ingest.readers.xlsx_reader.header_names`` reads
    back as ``group/leaf``. ``header_groups`` (label, span) only adds a decorative merged row above a
    one-row header.

    One sheet (the contract's), or one per ``sheet_of(record)`` value: sheets open as their first record
    arrives (or up front, in the order of ``sheets``), each with its own title (``title`` may be a function
    of the sheet name) and header; records are numbered by their Excel row in their sheet and the truth
    names the sheet. Optional ``extra_sheets`` (填报说明 …) follow the data sheet of a one-sheet workbook.
    Rows stream into openpyxl's write-only sheets; sheet names are Excel's (≤ 31 characters, no ``[]:*?/\\``).
    """

    def __init__(self, *args, title: str | Callable[[str], str | None] | None, created: dt.datetime, creator: str,
                 numeric: tuple[str, ...] = (), header_groups: tuple[tuple[str, int], ...] = (),
                 extra_sheets: dict[str, list[list[str]]] | None = None,
                 sheet_of: Callable[[Record], str] | None = None, sheets: tuple[str, ...] = (),
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from openpyxl import Workbook

        d = self.contract.delivery
        self._header_row = d.header_row
        sources = [c.source for c in self.contract.columns]
        self._two_level = any("/" in s for s in sources)
        if self._two_level and d.header_depth != 2:
            raise ValueError(f"{self.contract.id}: group/leaf column names need headerDepth 2, "
                             f"the contract has {d.header_depth}")
        if self._two_level and header_groups:
            raise ValueError(f"{self.contract.id}: header groups come from the group/leaf names; pass none")
        if header_groups and sum(span for _, span in header_groups) != len(sources):
            raise ValueError(f"{self.contract.id}: header groups span {sum(s for _, s in header_groups)} "
                             f"columns, the contract has {len(sources)}")
        if sheet_of is None and sheets:
            raise ValueError(f"{self.contract.id}: sheets need sheet_of")
        if sheet_of is not None and extra_sheets:
            # Every sheet of a multi-sheet workbook is read as data ('*'): an explanatory sheet would not be.
            raise ValueError(f"{self.contract.id}: extra sheets and one sheet per record group do not mix")
        # Rows needed above the header: the title (a plain export has none: header on row 1) and the groups.
        self._reserved = (1 if title else 0) + (1 if header_groups or self._two_level else 0)
        if self._header_row < self._reserved + 1:
            raise ValueError(f"{self.contract.id}: header row {self._header_row} leaves no room for the title rows")
        self.first_data_row = self._header_row + 1
        self._title = title
        self._header_groups = header_groups
        self._numeric = {i for i, c in enumerate(self.contract.columns) if c.name in numeric}
        self._wb = Workbook(write_only=True)
        self._wb.properties.created = created
        self._wb.properties.modified = created
        self._wb.properties.creator = creator
        self._sheet_of = sheet_of
        self._sheets: dict[str, list] = {}  # name → [worksheet, data rows written]
        self._at: tuple[str | None, int] = (None, 0)  # the sheet and Excel row of the record just written
        if sheet_of is None:
            self._ws = self._open_sheet(d.sheet or "Sheet1")[0]
            for name, rows in (extra_sheets or {}).items():
                ws = self._wb.create_sheet(name)
                for r in rows:
                    ws.append(r)
        for name in sheets:
            self._open_sheet(name)

    def _open_sheet(self, name: str) -> list:
        from openpyxl.utils import get_column_letter

        if not name or len(name) > 31 or any(ch in name for ch in "[]:*?/\\") or name in self._sheets:
            raise ValueError(f"{self.contract.id}: {name!r} cannot name a new sheet")
        ws = self._wb.create_sheet(name)
        n, header_row = len(self.contract.columns), self._header_row
        for _ in range(header_row - 1 - self._reserved):
            ws.append([])
        title = self._title(name) if callable(self._title) else self._title
        if title:
            title_row = header_row - self._reserved
            ws.append([title])
            ws.merged_cells.add(f"A{title_row}:{get_column_letter(n)}{title_row}")
        if self._two_level:
            top, leaf = _two_level_header(ws, [c.source for c in self.contract.columns], header_row - 1)
            ws.append(top)
            ws.append(leaf)
        else:
            if self._header_groups:
                row: list[object] = []
                col = 1
                for label, span in self._header_groups:
                    row += [label] + [None] * (span - 1)
                    if span > 1:
                        ws.merged_cells.add(f"{get_column_letter(col)}{header_row - 1}:"
                                            f"{get_column_letter(col + span - 1)}{header_row - 1}")
                    col += span
                ws.append(row)
            ws.append([c.source for c in self.contract.columns])
        entry = self._sheets[name] = [ws, 0]
        return entry

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        row: list[object] = []
        for i, v in enumerate(self._cells(rec)):
            if v == "":
                row.append(None)
            elif i in self._numeric:
                row.append(float(v))
            else:
                row.append(v)
        if self._sheet_of is None:
            self._ws.append(row)
            return
        name = self._sheet_of(rec)
        entry = self._sheets.get(name) or self._open_sheet(name)
        entry[0].append(row)
        entry[1] += 1
        self._at = (name, self._header_row + entry[1])

    def _row_number(self) -> int:
        return self.first_data_row + self.rows if self._sheet_of is None else self._at[1]

    def _sheet(self) -> str | None:
        return self._at[0]

    def _finish(self) -> None:
        from openpyxl.writer.excel import ExcelWriter

        if not self._sheets:  # nothing to send still gives a readable workbook: its sheet, title and header
            d = self.contract.delivery
            self._open_sheet(d.sheet if d.sheet and d.sheet != "*" else "Sheet1")
        # Spooled to disk and re-zipped member by member: a 5M-person city's room register is a sheet of
        # ~1 GB of XML, which must never sit in memory whole (it did: the 5M run peaked at 6.9 GB here).
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.path.parent) as raw:  # unnamed: no delivery glob can see it
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                # ExcelWriter directly: openpyxl's save_workbook stamps "modified" with the wall clock.
                ExcelWriter(self._wb, archive).save()
            raw.seek(0)
            with atomic_path(self.path) as tmp, open(tmp, "wb") as out:
                reproducible_zip(raw, out)


def _two_level_header(ws, sources: list[str], top_row: int) -> tuple[list, list]:
    """The two header rows for ``group/leaf`` names (rows ``top_row`` and ``top_row + 1``), merging
    each run of a group across and each ungrouped name down."""
    from openpyxl.utils import get_column_letter

    top: list[object] = []
    leaf: list[object] = []
    i = 0
    while i < len(sources):
        if "/" not in sources[i]:
            col = get_column_letter(i + 1)
            top.append(sources[i])
            leaf.append(None)
            ws.merged_cells.add(f"{col}{top_row}:{col}{top_row + 1}")
            i += 1
            continue
        group = sources[i].split("/", 1)[0]
        j = i
        while j < len(sources) and "/" in sources[j] and sources[j].split("/", 1)[0] == group:
            top.append(group if j == i else None)
            leaf.append(sources[j].split("/", 1)[1])
            j += 1
        if j - i > 1:
            ws.merged_cells.add(f"{get_column_letter(i + 1)}{top_row}:{get_column_letter(j)}{top_row}")
        i = j
    return top, leaf


XLS_MAX_ROWS = 65_536


class XlsSink(FeedSink):
    """Legacy Excel 97-2003 (.xls, BIFF8 via xlwt): a merged title row, the header, data. A sheet holds
    65,536 rows, so the register continues on sheets ``<sheet>2``, ``<sheet>3`` … each with its own title
    and header (``max_rows`` lowers the limit for tests). xlwt holds the workbook in memory until saved."""

    def __init__(self, *args, title: str | None, numeric: tuple[str, ...] = (), max_rows: int = XLS_MAX_ROWS,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        import xlwt

        self._xlwt = xlwt
        self.header_row = self.contract.delivery.header_row
        if self.header_row < 2 and title:
            raise ValueError(f"{self.contract.id}: the xls title needs header row ≥ 2")
        self._per_sheet = max_rows - self.header_row
        if self._per_sheet < 1:
            raise ValueError("max_rows leaves no room for data")
        self._title = title
        self._numeric = {i for i, c in enumerate(self.contract.columns) if c.name in numeric}
        self._wb = xlwt.Workbook(encoding="utf-8")
        self._ws = None
        self._sheet_no = 0
        self._in_sheet = self._per_sheet  # forces a first sheet
        self.sheets: list[str] = []
        self._new_sheet()

    def _sheet_name(self, no: int) -> str:
        base = self.contract.delivery.sheet or "Sheet"
        return base if no == 1 else f"{base}{no}"

    def _new_sheet(self) -> None:
        self._sheet_no += 1
        name = self._sheet_name(self._sheet_no)
        self._ws = self._wb.add_sheet(name)
        self.sheets.append(name)
        n = len(self.contract.columns)
        if self._title:  # a plain export (header on row 1) has no title row
            self._ws.write_merge(self.header_row - 2, self.header_row - 2, 0, n - 1, self._title)
        for i, c in enumerate(self.contract.columns):
            self._ws.write(self.header_row - 1, i, c.source)
        self._in_sheet = 0

    def _row_number(self) -> int:
        return self.header_row + 1 + self._in_sheet

    def _sheet(self) -> str | None:
        return self._sheet_name(self._sheet_no)

    def _emit(self, rec: Record, wrong_encoding: bool, truncate: bool) -> None:
        if self._in_sheet >= self._per_sheet:
            self._new_sheet()
        r = self.header_row + self._in_sheet  # 0-based index of the Excel row header_row + 1 + k
        for i, v in enumerate(self._cells(rec)):
            if v != "":
                self._ws.write(r, i, float(v) if i in self._numeric else v)
        self._in_sheet += 1

    def _record_truth(self, rec: Record) -> None:
        # _emit has advanced the in-sheet counter: number the record it just wrote.
        self._in_sheet -= 1
        try:
            super()._record_truth(rec)
        finally:
            self._in_sheet += 1

    def _finish(self) -> None:
        buf = io.BytesIO()
        self._wb.save(buf)
        write_bytes_atomic(self.path, buf.getvalue())


def reproducible_zip(src: BinaryIO, dst: BinaryIO) -> None:
    """Copy an archive with fixed member timestamps and attributes, so equal content gives equal bytes,
    streaming each member (a sheet's XML can be larger than memory should hold)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
        for info in zin.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.file_size = info.file_size  # known up front, as writestr knew it: the same headers
            with zin.open(info) as fin, zout.open(member, "w") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
