"""The validity runner: validate each staging table with its contract's GX suite and record the verdicts.

For every contract whose staging table ``staging.stg_<dept>__<feed>`` exists in the warehouse it reads the
snapshot into pandas, validates it with Great Expectations (ephemeral context, pandas datasource) and writes,
in one transaction, the three ``quality`` tables of docs/architecture.md §4:

- ``quality.validity_runs``   one row per dataset per run,
- ``quality.record_verdicts`` one row per record per run (``failed_rules``: every rule the record broke,
  errors and warnings, in contract order; ``is_valid``: no rule of severity ``error`` broke),
- ``quality.rule_results``    one row per rule per run,

and, from those rows in the same transaction, the breakdowns of :mod:`expectations.breakdowns` (department,
district, grid, day, GB/T 36344 dimension) and the 红黑榜 of :mod:`expectations.ranking`.

Record verdicts come from GX itself: each expectation runs with ``result_format=COMPLETE`` and
``unexpected_index_column_names=["record_id"]`` (``record_id`` is the batch's index), so its result lists the
ids of the records that broke it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pandas as pd
import pyarrow as pa

from citylake.config import Settings
from expectations import breakdowns, ranking, rules
from expectations.suites import AS_OF_COLUMN, DATASET_RULES, build_suite, helper_column
from ingest.contracts import Contract, load_contracts

log = logging.getLogger(__name__)

LINEAGE = ("record_id", "source_file", "source_row_number", "load_date")
RESOLVED_TABLE = "intermediate.int_addresses_resolved"

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["record_id"],
    # Ids only: the failing values stay in the warehouse (correction lists quote them from staging), and
    # skipping them keeps GX from materialising millions of values and value counts.
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
}

DDL = """
create schema if not exists quality;
create table if not exists quality.validity_runs (
    run_id varchar not null,
    run_at timestamp with time zone not null,
    contract_id varchar not null,
    dataset varchar not null,
    department varchar not null,
    records bigint not null,
    valid_records bigint not null,
    validity_ratio double,
    target double,
    passed boolean,
    gate varchar not null
);
create table if not exists quality.record_verdicts (
    run_id varchar not null,
    contract_id varchar not null,
    record_id varchar not null,
    is_valid boolean not null,
    failed_rules varchar[] not null
);
create table if not exists quality.rule_results (
    run_id varchar not null,
    contract_id varchar not null,
    rule_id varchar not null,
    rule_name varchar not null,
    dimension varchar not null,
    severity varchar not null,
    checked bigint not null,
    failed bigint not null
);
"""


class ValidationError(RuntimeError):
    """An expectation could not be evaluated (not: data broke a rule). Nothing of the run is written."""


@dataclass(frozen=True)
class DatasetResult:
    contract_id: str
    dataset: str  # 实有人口 / 流动人口 / 实有房屋, or the feed's title for other datasets
    department: str
    records: int
    valid_records: int
    ratio: float | None  # valid ÷ records; None for an empty table
    target: float | None  # basic datasets only
    passed: bool | None  # None when there is no target
    gate: str  # strong: a miss blocks publication; weak: a miss warns

    @property
    def missed_target(self) -> bool:
        return self.passed is False


def staging_table(contract: Contract) -> str:
    return f"staging.stg_{contract.dept}__{contract.feed}"


def _table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".", 1)
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_snapshot(con: duckdb.DuckDBPyConnection, contract: Contract) -> pd.DataFrame:
    """The staging snapshot as the batch GX validates: index ``record_id``, the as-of date, the columns the rules
    judge (as sent, blank → null) and one boolean "holds" column per dataset-level rule."""
    table = staging_table(contract)
    present = {r[0] for r in con.execute(f"describe {table}").fetchall()}
    missing = [c for c in list(LINEAGE) + [c.name for c in contract.columns] if c not in present]
    if missing:
        raise ValidationError(f"{table} lacks column(s) {', '.join(missing)} required by contract {contract.id}")
    judged = list(dict.fromkeys([*contract.primary_key, *(r.column for r in contract.rules)]))
    select = ", ".join(f"s.{_ident(c)}" for c in [*LINEAGE, *judged])
    # One resolution flag per address column (a feed may send several addresses).
    addresses = list(dict.fromkeys(r.column for r in contract.rules if r.rule == "address_resolvable"))
    flags = {col: f"_is_resolved_{i}" for i, col in enumerate(addresses)}
    if addresses and _table_exists(con, RESOLVED_TABLE):
        joins = "".join(
            f" left join (select record_id, is_resolved as {flag} from {RESOLVED_TABLE} "
            f"where feed_id = '{contract.id}' and address_column = '{col}') as {flag}_r using (record_id)"
            for col, flag in flags.items())
        sql = f"select {select}, {', '.join(f'{f}_r.{f}' for f in flags.values())} from {table} s{joins}"
    else:
        if addresses:
            log.warning("%s is missing: every address of %s counts as not resolved", RESOLVED_TABLE, contract.id)
        extra = "".join(f", null::boolean as {f}" for f in flags.values())
        sql = f"select {select}{extra} from {table} s"
    df = con.sql(sql).to_arrow_table().to_pandas()

    for c in judged:
        col = df[c].astype("string")
        df[c] = col.where(~rules.is_blank(col))
    df["load_date"] = pd.to_datetime(df["load_date"], errors="coerce")
    for rule in contract.rules:
        if rule.rule == "unique":
            df[helper_column(rule)] = rules.unique(df, contract.primary_key if rule.column in contract.primary_key else [rule.column])
        elif rule.rule == "address_resolvable":
            df[helper_column(rule)] = rules.address_resolvable(df[rule.column], df[flags[rule.column]])
    # The batch holds only what the suite reads: GX fingerprints every column of the frame it is given.
    keep = {AS_OF_COLUMN} | {
        helper_column(r) if r.rule in DATASET_RULES else r.column for r in contract.rules
    }
    df = df[["record_id"] + [c for c in df.columns if c in keep]]
    if df["record_id"].isna().any() or df["record_id"].duplicated().any():
        raise ValidationError(f"{table}: record_id must be present and unique")
    return df.set_index("record_id")


def _failed_ids(result) -> list[str]:
    meta = result.expectation_config.meta
    info = result.exception_info or {}
    raised = info.get("raised_exception") or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values()
    )
    if raised:
        message = info.get("exception_message") or next(
            (v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("exception_message")),
            "unknown error",
        )
        raise ValidationError(f"{meta.get('contract_id')}: rule {meta.get('rule_id')} could not be evaluated: {message}")
    index_list = result.result.get("unexpected_index_list") or []
    ids = [rid for entry in index_list for rid in entry["record_id"]]
    if len(ids) != int(result.result.get("unexpected_count") or 0):
        raise ValidationError(f"{meta.get('contract_id')}: rule {meta.get('rule_id')}: GX id list and count disagree")
    return ids


def _validate_frame(context, contract: Contract, df: pd.DataFrame) -> dict[str, list[str]]:
    """Rule id → ids of the records that broke it, as reported by GX."""
    suite = build_suite(contract)
    asset = context.data_sources.get("citylake").add_dataframe_asset(name=contract.id)
    batch = asset.add_batch_definition_whole_dataframe("snapshot").get_batch(batch_parameters={"dataframe": df})
    outcome = batch.validate(suite, result_format=RESULT_FORMAT)
    return {r.expectation_config.meta["rule_id"]: _failed_ids(r) for r in outcome.results}


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import expectations.custom  # noqa: F401  registers the custom expectations and metrics

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("citylake")
    return context


def _write(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    run_at: datetime,
    outcomes: list[tuple[Contract, DatasetResult, pd.Index, dict[str, list[str]]]],
) -> None:
    con.execute(DDL)
    con.execute("begin transaction")
    try:
        for contract, res, record_ids, failed in outcomes:
            for table in ("validity_runs", "record_verdicts", "rule_results"):
                con.execute(f"delete from quality.{table} where run_id = ? and contract_id = ?", [run_id, contract.id])
            con.execute(
                "insert into quality.validity_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, run_at, res.contract_id, res.dataset, res.department, res.records, res.valid_records,
                 res.ratio, res.target, res.passed, res.gate],
            )
            con.executemany(
                "insert into quality.rule_results values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [run_id, contract.id, r.rule_id, r.name, r.gbt36344, r.severity, res.records,
                     len(failed.get(r.rule_id, ()))]
                    for r in contract.rules
                ],
            )
            order = {r.rule_id: i for i, r in enumerate(contract.rules)}
            severity = {r.rule_id: r.severity for r in contract.rules}
            fail_rows = [(rid, rule_id) for rule_id, ids in failed.items() for rid in ids]
            failures = pa.table(
                {
                    "record_id": pa.array([f[0] for f in fail_rows], pa.string()),
                    "rule_id": pa.array([f[1] for f in fail_rows], pa.string()),
                    "ord": pa.array([order[f[1]] for f in fail_rows], pa.int32()),
                    "is_error": pa.array([severity[f[1]] == "error" for f in fail_rows], pa.bool_()),
                }
            )
            records = pa.table({"record_id": pa.array(list(map(str, record_ids)), pa.string())})
            con.register("_records", records)
            con.register("_failures", failures)
            con.execute(
                """
                insert into quality.record_verdicts
                select ?, ?, r.record_id,
                       not coalesce(bool_or(f.is_error), false),
                       coalesce(list(f.rule_id order by f.ord) filter (where f.rule_id is not null), [])::varchar[]
                from _records r left join _failures f using (record_id)
                group by r.record_id
                """,
                [run_id, contract.id],
            )
            con.unregister("_records")
            con.unregister("_failures")
        # Breakdowns and the ranking are derived from the rows above: same transaction, so a run is whole.
        breakdowns.write(con, run_id, run_at, [o[0] for o in outcomes])
        ranking.write(con, run_id, run_at)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _dataset_result(contract: Contract, records: int, valid: int) -> DatasetResult:
    ratio = valid / records if records else None
    target = contract.validity_target if contract.basic_dataset else None
    passed = None if target is None else (ratio is not None and ratio >= target)
    return DatasetResult(
        contract_id=contract.id,
        dataset=contract.basic_dataset or contract.title,
        department=contract.department_name,
        records=records,
        valid_records=valid,
        ratio=ratio,
        target=target,
        passed=passed,
        gate=contract.gate,
    )


def validate(settings: Settings, run_id: str | None, contracts: list[Contract] | None = None,
             run_at: datetime | None = None) -> list[DatasetResult]:
    """Validate every contract's staging table present in the warehouse and record the run's verdicts.

    ``run_at`` is the moment the run stands for: a scheduled run's due time (its Asia/Shanghai date decides
    which day the reports say it describes), so a backfill or a test city is dated by its schedule, not by
    the wall clock; default now. Re-running a ``run_id`` (a retried task) replaces that run's rows; a
    missing ``run_id`` gets a ``manual__<UTC time>`` one.
    """
    contracts = load_contracts(settings.contracts_dir) if contracts is None else contracts
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError(f"run_at must carry its time zone, got {run_at!r}")
    run_at = (run_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    run_id = run_id or f"manual__{run_at:%Y-%m-%dT%H:%M:%S.%f}Z"
    con = duckdb.connect(str(settings.warehouse))
    try:
        context = None
        outcomes = []
        for contract in contracts:
            if not _table_exists(con, staging_table(contract)):
                log.info("%s: no %s yet, skipped", contract.id, staging_table(contract))
                continue
            started = time.perf_counter()
            df = read_snapshot(con, contract)
            read_s = time.perf_counter() - started
            context = context or _context()
            failed = _validate_frame(context, contract, df)
            errors = {r.rule_id for r in contract.rules if r.is_strong}
            invalid = set().union(*(set(ids) for rid, ids in failed.items() if rid in errors)) if failed else set()
            res = _dataset_result(contract, len(df), len(df) - len(invalid))
            elapsed = time.perf_counter() - started
            log.info(
                "%s: validated %d records against %d rules in %.2fs (read %.2fs) = %.0f rows/s",
                contract.id, len(df), len(contract.rules), elapsed, read_s, len(df) / elapsed if elapsed else 0,
            )
            outcomes.append((contract, res, df.index, failed))
        _write(con, run_id, run_at, outcomes)
    finally:
        con.close()
    results = [o[1] for o in outcomes]
    for line in summarise(results).splitlines():
        log.info(line)
    return results


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def summarise(results: list[DatasetResult]) -> str:
    """One line per dataset, Chinese and English, e.g. ``✗ 流动人口 (gongan.liudong) 84.1% < 90% — 未达标 FAILED``."""
    lines = []
    for r in results:
        head = f"{r.dataset} ({r.contract_id}) {_pct(r.ratio)}"
        counts = f"[{r.valid_records}/{r.records} 有效 valid, {r.department}]"
        if r.target is None:
            lines.append(f"· {head} — 无目标 no target {counts}")
        elif r.passed:
            lines.append(f"✓ {head} ≥ {_pct(r.target).replace('.0%', '%')} — 达标 PASSED {counts}")
        else:
            gate = "强门禁：阻止发布 strong gate: blocks publication" if r.gate == "strong" else "弱门禁：告警 weak gate: warning"
            lines.append(f"✗ {head} < {_pct(r.target).replace('.0%', '%')} — 未达标 FAILED {counts} {gate}")
    basic = [r for r in results if r.target is not None]
    missed = [r for r in basic if not r.passed]
    if basic:
        lines.append(
            f"基础数据有效性 basic-data validity: {len(basic) - len(missed)}/{len(basic)} 达标 passed"
            + (f"; 未达标 missed: {', '.join(r.dataset for r in missed)}" if missed else "")
        )
    return "\n".join(lines)


def gate_failures(results: list[DatasetResult]) -> list[DatasetResult]:
    """Datasets that missed their target behind a strong gate: the caller should stop publication."""
    return [r for r in results if r.missed_target and r.gate == "strong"]
