"""Correction lists (问题数据清单): for each department, every invalid record it sent in a validity run.

One row per (invalid record, error rule it broke), in Chinese, ready to send back to the department:
数据集 · 数据集编号 · 来源文件 · 工作表 · 行号 · 字段 · 原始值 · 违反规则 · 规则维度 · 严重程度 · 记录标识.

Which records and rules come from ``quality.record_verdicts`` (the runner's GX verdicts); the source file,
row number and the value as sent are quoted from the staging table (never from GX, which only returns ids).
Warnings are not listed: they do not make a record invalid and are reported per rule in the quality report.

Written under ``<reports dir>/corrections/<run>/``, one pair per department (its contract folder name, then
its Chinese name): ``<dept>_<部门>_问题数据清单.xlsx`` and ``.csv`` (UTF-8 with BOM, so Excel opens it), and
``manifest.json`` (rows and records per department). Every department with a dataset in the run gets its pair,
an empty list (header only) included: "nothing to correct" is an answer too.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from citylake.config import Settings
from citylake.staging import model_name
from ingest.contracts import Contract, load_contracts

HEADER = ("数据集", "数据集编号", "来源文件", "工作表", "行号", "字段", "原始值", "违反规则", "规则维度", "严重程度", "记录标识")
SHEET = "问题数据清单"
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included: longer lists continue on further sheets
FETCH = 50_000
_ILLEGAL_XLSX = re.compile(r"[\000-\010\013\014\016-\037]")


class CorrectionListError(RuntimeError):
    """The lists cannot be written truthfully (no run, or staging no longer holds the run's records)."""


@dataclass(frozen=True)
class RuleLabel:
    column_label: str
    rule_name: str
    dimension: str
    severity: str


@dataclass(frozen=True)
class DepartmentList:
    dept: str
    department: str
    datasets: int
    records: int  # invalid records listed
    rows: int  # (record, rule) rows
    xlsx: str
    csv: str


def rule_labels(contract: Contract) -> dict[str, RuleLabel]:
    """Rule id → the Chinese words a list row shows for it."""
    return {
        r.rule_id: RuleLabel(contract.column(r.column).label, r.name, r.gbt36344, SEVERITY_ZH.get(r.severity, r.severity))
        for r in contract.rules
    }


def split_source(contract: Contract, source_file: str) -> tuple[str, str]:
    """(file, sheet): a workbook feed over several sheets stages ``<file>#<sheet>``; a one-sheet workbook
    names its sheet in the contract; other feeds have no sheet."""
    if contract.delivery.format in ("xlsx", "xls"):
        if "#" in source_file:
            file, sheet = source_file.rsplit("#", 1)
            return file, sheet
        sheet = contract.delivery.sheet if contract.delivery.sheet and contract.delivery.sheet != "*" else ""
        return source_file, sheet
    return source_file, ""


def safe_name(text: str) -> str:
    """A run id as a folder name on any filesystem (Airflow run ids hold ``:`` and ``+``)."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text).strip("._") or "run"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def list_sql(contract: Contract, table: str) -> str:
    """The rows of one feed: each error rule broken by each invalid record of the run (parameters: run id,
    contract id), with the value of the rule's column as staged, in file order then contract rule order."""
    errors = [r for r in contract.rules if r.is_strong]
    value = "case b.rule_id " + " ".join(
        f"when {_quote(r.rule_id)} then s.{_ident(r.column)}::varchar" for r in errors
    ) + " end" if errors else "null::varchar"
    order = "case b.rule_id " + " ".join(f"when {_quote(r.rule_id)} then {i}" for i, r in enumerate(errors)) + " end" \
        if errors else "0"
    ids = ", ".join(_quote(r.rule_id) for r in errors) or "''"
    return f"""
        with broken as (
            select record_id, unnest(failed_rules) as rule_id
            from quality.record_verdicts
            where run_id = ? and contract_id = ? and not is_valid
        )
        select b.record_id, s.source_file, s.source_row_number, b.rule_id, {value} as value,
               s.record_id is null as missing
        from broken b left join {table} s using (record_id)
        where b.rule_id in ({ids})
        order by s.source_file, s.source_row_number, b.record_id, {order}
    """


def staging_table(contract: Contract) -> str:
    return f"staging.{model_name(contract)}"


def _rows(con: duckdb.DuckDBPyConnection, contract: Contract, run_id: str) -> Iterator[tuple]:
    labels = rule_labels(contract)
    cur = con.execute(list_sql(contract, staging_table(contract)), [run_id, contract.id])
    while batch := cur.fetchmany(FETCH):
        for record_id, source_file, row_number, rule_id, value, missing in batch:
            if missing:
                raise CorrectionListError(
                    f"{contract.id}: record {record_id} of run {run_id} is no longer in {staging_table(contract)}: "
                    "the warehouse was rebuilt after the run; validate again before writing correction lists"
                )
            file, sheet = split_source(contract, source_file)
            lab = labels[rule_id]
            yield (contract.title, contract.id, file, sheet, row_number, lab.column_label,
                   "" if value is None else value, lab.rule_name, lab.dimension, lab.severity, record_id)


class _Writers:
    """One department's CSV and xlsx, written row by row (lists can be long: memory stays flat)."""

    def __init__(self, csv_path: Path, xlsx_path: Path, title: str):
        from openpyxl import Workbook

        self.csv_path, self.xlsx_path = csv_path, xlsx_path
        self._csv_file = open(csv_path.with_suffix(".csv.tmp"), "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow(HEADER)
        self._wb = Workbook(write_only=True)
        self._title = title
        self._sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        self._ws = self._wb.create_sheet(SHEET if self._sheets == 1 else f"{SHEET}{self._sheets}")
        self._ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJK", (16, 22, 40, 12, 8, 16, 30, 26, 10, 8, 34)):
            self._ws.column_dimensions[letter].width = width
        self._ws.append(list(HEADER))
        self._ws_rows = 1

    def _cell(self, value):
        from openpyxl.cell import WriteOnlyCell

        if not isinstance(value, str):
            return value
        cell = WriteOnlyCell(self._ws, _ILLEGAL_XLSX.sub(lambda m: f"\\x{ord(m.group()):02x}", value))
        cell.data_type = "s"  # a value as sent that starts with "=" is text, never a formula
        return cell

    def append(self, row: tuple) -> None:
        self._csv.writerow(row)
        if self._ws_rows >= XLSX_MAX_ROWS:
            self._new_sheet()
        self._ws.append([self._cell(v) for v in row])
        self._ws_rows += 1

    def close(self, notes: list[tuple[str, str]]) -> None:
        self._csv_file.close()
        info = self._wb.create_sheet("说明")
        info.append([self._title])
        for k, v in notes:
            info.append([k, v])
        tmp = self.xlsx_path.with_suffix(".xlsx.tmp")
        self._wb.save(tmp)
        tmp.replace(self.xlsx_path)
        self.csv_path.with_suffix(".csv.tmp").replace(self.csv_path)

    def abort(self) -> None:
        self._csv_file.close()
        self.csv_path.with_suffix(".csv.tmp").unlink(missing_ok=True)
        # Saving is how a write-only workbook closes its row stream; the file is thrown away with the folder.
        self._wb.save(self.xlsx_path.with_suffix(".xlsx.tmp"))


def _latest_run(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("select run_id from quality.validity_runs order by run_at desc, run_id desc limit 1").fetchall()
    if not rows:
        raise CorrectionListError("quality.validity_runs is empty: run the validity runner first")
    return rows[0][0]


def _departments(contracts: Iterable[Contract], validated: set[str]) -> dict[str, list[Contract]]:
    out: dict[str, list[Contract]] = {}
    for c in sorted(contracts, key=lambda c: c.id):
        if c.id in validated:
            out.setdefault(c.dept, []).append(c)
    return out


def write_lists(settings: Settings, run_id: str | None = None, contracts: list[Contract] | None = None) -> list[DepartmentList]:
    """Write every department's correction list for ``run_id`` (default: the latest run); return a summary
    per department. Re-writing a run replaces its folder whole."""
    contracts = load_contracts(settings.contracts_dir) if contracts is None else contracts
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        run_id = run_id or _latest_run(con)
        run = con.execute(
            "select contract_id, records - valid_records, run_at from quality.validity_runs where run_id = ?", [run_id]
        ).fetchall()
        if not run:
            raise CorrectionListError(f"no validity run {run_id!r} in quality.validity_runs")
        invalid_by_contract = {cid: n for cid, n, _ in run}
        run_at = run[0][2]
        known = {c.id for c in contracts}
        unknown = sorted(set(invalid_by_contract) - known)
        if unknown:
            raise CorrectionListError(f"run {run_id} validated feeds without a contract here: {', '.join(unknown)}")
        out_dir = settings.reports_dir / "corrections" / safe_name(run_id)
        work = out_dir.with_name(out_dir.name + ".tmp")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            summary = _write_departments(con, contracts, run_id, run_at, invalid_by_contract, work, out_dir)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    finally:
        con.close()
    (work / "manifest.json").write_text(
        json.dumps({"run_id": run_id, "departments": [asdict(s) for s in summary]}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    # Publish the run's folder whole: a reader never sees half of a run's lists.
    shutil.rmtree(out_dir, ignore_errors=True)
    work.replace(out_dir)
    return summary


def _write_departments(con: duckdb.DuckDBPyConnection, contracts: list[Contract], run_id: str, run_at,
                       invalid_by_contract: dict[str, int], work: Path, out_dir: Path) -> list[DepartmentList]:
    """Each department's pair into ``work``; the paths returned are where they will be once published."""
    summary = []
    for dept, feeds in _departments(contracts, set(invalid_by_contract)).items():
        name = feeds[0].department_name
        stem = f"{dept}_{name}_{SHEET}"
        writers = _Writers(work / f"{stem}.csv", work / f"{stem}.xlsx", f"{name}{SHEET}")
        rows, records = 0, set()
        try:
            for c in feeds:
                if not invalid_by_contract[c.id]:
                    continue  # nothing to list: spare the staging read
                seen = set()
                for row in _rows(con, c, run_id):
                    writers.append(row)
                    seen.add(row[-1])
                    rows += 1
                if len(seen) != invalid_by_contract[c.id]:
                    raise CorrectionListError(
                        f"{c.id}: run {run_id} counted {invalid_by_contract[c.id]} invalid records, "
                        f"the list has {len(seen)}"
                    )
                records |= seen
        except BaseException:
            writers.abort()
            raise
        writers.close([
            ("部门", name),
            ("校验批次", run_id),
            ("校验时间（北京时间）", f"{run_at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M:%S}"),
            ("数据集", "、".join(f"{c.title}（{c.id}）" for c in feeds)),
            ("问题记录数", str(len(records))),
            ("问题条目数", str(rows)),
            ("说明", "每行为一条无效记录违反的一条错误级规则；原始值为部门报送的原样内容；"
                     "请按来源文件与行号核对更正后重新报送。"),
        ])
        summary.append(DepartmentList(dept, name, len(feeds), len(records), rows,
                                      str(out_dir / f"{stem}.xlsx"), str(out_dir / f"{stem}.csv")))
    return summary
