"""Department file writers (GBK CSV, xlsx) that also record every delivered row in the ground truth.

A writer takes :class:`simulator.defects.Record` objects whose values are keyed by the contract's target
column names and writes them under the department's own column names (``physicalName``), in contract
order. Rows picked for duplication are appended again, unchanged, after all others: the copy is the
record that breaks ``<primary key>:unique``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from pathlib import Path

from ingest.contracts import Contract
from simulator.atomic import atomic_path, write_bytes_atomic
from simulator.defects import Record, rule_id
from simulator.truth import TruthWriter


class FeedSink:
    """Common part: row numbering, duplicates, ground truth."""

    first_data_row = 2  # CSV: header is physical record 1

    def __init__(self, contract: Contract, landing_dir: Path, file_name: str, truth: TruthWriter,
                 duplicate_rate: float, rng: random.Random) -> None:
        self.contract = contract
        folder = contract.delivery.path.rsplit("/", 1)[0]  # e.g. gongan/hukou from gongan/hukou/*.csv
        self.source = f"{folder}/{file_name}"
        self.path = landing_dir / self.source
        self.truth = truth
        self.duplicate_rate = duplicate_rate
        self.rng = rng
        self.rows = 0
        self.valid = 0
        self._severity = {r.rule_id: r.severity for r in contract.rules}
        (self._pk,) = contract.primary_key
        self._duplicates: list[Record] = []

    def _cells(self, rec: Record) -> list[str]:
        return [rec.values.get(c.name, "") or "" for c in self.contract.columns]

    def _emit(self, cells: list[str]) -> None:
        raise NotImplementedError

    def write(self, rec: Record) -> None:
        self._emit(self._cells(rec))
        self._record_truth(rec)
        if self.duplicate_rate > 0 and self.rng.random() < self.duplicate_rate:
            self._duplicates.append(rec)

    def _record_truth(self, rec: Record) -> None:
        unknown = rec.broken - set(self._severity)
        if unknown:
            raise ValueError(f"{self.contract.id}: defects break rules the contract does not have: {sorted(unknown)}")
        row_number = self.first_data_row + self.rows
        self.rows += 1
        is_valid = not any(self._severity[r] == "error" for r in rec.broken)
        self.valid += is_valid
        self.truth.records.add({
            "contract_id": self.contract.id,
            "source": self.source,
            "row_number": row_number,
            "record_key": rec.values.get(self._pk, ""),
            "entity_key": rec.entity_key,
            "defects": list(rec.defects),
            "broken_rules": sorted(rec.broken),
            "is_valid": is_valid,
        })

    def close(self) -> dict:
        self.rng.shuffle(self._duplicates)
        for original in self._duplicates:
            copy = Record(dict(original.values), original.entity_key, original.context,
                          defects=[*original.defects, "duplicate"],
                          broken=original.broken | {rule_id("duplicate", self._pk)})
            self._emit(self._cells(copy))
            self._record_truth(copy)
        self._finish()
        return {"path": self.source, "records": self.rows, "valid": self.valid,
                "duplicates": len(self._duplicates)}

    def _finish(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """Give up: nothing of this feed appears in landing/."""


class CsvSink(FeedSink):
    """A Windows-style export: header row, comma, CRLF, in the contract's encoding (GBK)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._ctx = atomic_path(self.path)
        tmp = self._ctx.__enter__()
        self._fh = open(tmp, "w", encoding=self.contract.delivery.encoding or "utf-8", newline="", errors="strict")
        self._csv = csv.writer(self._fh, delimiter=self.contract.delivery.delimiter, lineterminator="\r\n")
        self._csv.writerow([c.source for c in self.contract.columns])

    def _emit(self, cells: list[str]) -> None:
        self._csv.writerow(cells)

    def _finish(self) -> None:
        self._fh.close()
        self._ctx.__exit__(None, None, None)

    def abort(self) -> None:
        if not self._fh.closed:
            self._fh.close()
            self._ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)


class XlsxSink(FeedSink):
    """A workbook exported from the department's system: a merged title row, the header, then data."""

    def __init__(self, *args, title: str, created: dt.datetime, creator: str, numeric: tuple[str, ...] = (),
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        header_row = self.contract.delivery.header_row
        self.first_data_row = header_row + 1
        self._numeric = {i for i, c in enumerate(self.contract.columns) if c.name in numeric}
        self._wb = Workbook(write_only=True)
        self._wb.properties.created = created
        self._wb.properties.modified = created
        self._wb.properties.creator = creator
        self._ws = self._wb.create_sheet(self.contract.delivery.sheet or "Sheet1")
        n = len(self.contract.columns)
        for _ in range(header_row - 2):
            self._ws.append([])
        self._ws.append([title])
        self._ws.merged_cells.add(f"A{header_row - 1}:{get_column_letter(n)}{header_row - 1}")
        self._ws.append([c.source for c in self.contract.columns])

    def _emit(self, cells: list[str]) -> None:
        row: list[object] = []
        for i, v in enumerate(cells):
            if v == "":
                row.append(None)
            elif i in self._numeric:
                row.append(float(v))
            else:
                row.append(v)
        self._ws.append(row)

    def _finish(self) -> None:
        from openpyxl.writer.excel import ExcelWriter

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            # ExcelWriter directly: openpyxl's save_workbook stamps "modified" with the wall clock.
            ExcelWriter(self._wb, archive).save()
        write_bytes_atomic(self.path, reproducible_zip(buf.getvalue()))


def reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed member timestamps and attributes, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
