"""Validity broken down by department, district, grid, day and GB/T 36344 dimension, kept for every run.

The validity runner calls :func:`write` inside the transaction that records a run, so a run's breakdowns
appear together with its verdicts or not at all. Every table keeps one set of rows per ``run_id`` (history:
trends are drawn across runs); re-running a ``run_id`` replaces that run's rows for the datasets validated.

- ``quality.validity_by_department``  run × department (all its datasets, and its basic datasets apart);
- ``quality.validity_by_area``        run × dataset × district × grid (finest area grain);
- ``quality.validity_by_day``         run × dataset × ``load_date``;
- ``quality.validity_by_dimension``   run × dataset × GB/T 36344 dimension the contract has rules in;
- views ``quality.validity_by_district`` and ``quality.validity_by_grid`` roll the area table up over datasets.

Where a record lies (docs/architecture.md §4, "Correction lists and ranking") is read from its staging row:
the district is the first of these that gives a 宜春市 county code in force today — the standardised
GB/T 2260 division column(s) (``std_<column>``), the county part of a 12-digit 统计用区划代码 column, the
division part of the standard address key(s), the county part of ``grid_code`` — else it is unknown (null).
The grid is ``grid_code`` as sent where the feed has that column, else unknown (null): a grid cannot be
derived from an address without the house register, which is a mart's business, not the validity run's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from citylake.staging import address_columns, model_name
from expectations import rules
from ingest.contracts import Contract

DDL = """
create schema if not exists quality;
create table if not exists quality.validity_by_department (
    run_id varchar not null,
    run_at timestamp with time zone not null,
    department varchar not null,
    datasets bigint not null,
    records bigint not null,
    valid_records bigint not null,
    validity_ratio double,
    basic_records bigint,
    basic_valid_records bigint,
    basic_validity_ratio double
);
create table if not exists quality.validity_by_area (
    run_id varchar not null,
    run_at timestamp with time zone not null,
    contract_id varchar not null,
    department varchar not null,
    district_code varchar,
    district_name varchar,
    grid_code varchar,
    area_basis varchar not null,
    records bigint not null,
    valid_records bigint not null,
    validity_ratio double
);
create table if not exists quality.validity_by_day (
    run_id varchar not null,
    run_at timestamp with time zone not null,
    contract_id varchar not null,
    department varchar not null,
    load_date date,
    records bigint not null,
    valid_records bigint not null,
    validity_ratio double
);
create table if not exists quality.validity_by_dimension (
    run_id varchar not null,
    run_at timestamp with time zone not null,
    contract_id varchar not null,
    department varchar not null,
    dimension varchar not null,
    rules bigint not null,
    records bigint not null,
    failed_records bigint not null,
    warned_records bigint not null,
    validity_ratio double
);
create or replace view quality.validity_by_district as
select a.run_id, a.run_at, a.district_code, a.district_name,
       count(distinct a.contract_id) as datasets,
       sum(a.records)::bigint as records, sum(a.valid_records)::bigint as valid_records,
       sum(a.valid_records) / nullif(sum(a.records), 0) as validity_ratio,
       (sum(a.records) filter (where v.target is not null))::bigint as basic_records,
       (sum(a.valid_records) filter (where v.target is not null))::bigint as basic_valid_records,
       sum(a.valid_records) filter (where v.target is not null)
           / nullif(sum(a.records) filter (where v.target is not null), 0) as basic_validity_ratio
from quality.validity_by_area a
join quality.validity_runs v using (run_id, contract_id)
group by all;
create or replace view quality.validity_by_grid as
select a.run_id, a.run_at, a.district_code, a.district_name, a.grid_code,
       count(distinct a.contract_id) as datasets,
       sum(a.records)::bigint as records, sum(a.valid_records)::bigint as valid_records,
       sum(a.valid_records) / nullif(sum(a.records), 0) as validity_ratio
from quality.validity_by_area a
where a.grid_code is not null
group by all;
"""

TABLES = ("validity_by_area", "validity_by_day", "validity_by_dimension")

# The five GB/T 36344-2018 dimensions a validity rule can judge (可访问性 is about the platform, not records).
DIMENSIONS = ("规范性", "完整性", "准确性", "一致性", "时效性")

GRID_COLUMN = "grid_code"


@dataclass(frozen=True)
class AreaSource:
    """How one feed's records are placed: SQL over the staging row ``s``, and what it rests on."""

    district_sql: str
    grid_sql: str
    basis: str  # e.g. "std_division_code > address_key" (first that gives a county code wins)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _county(expr: str, counties: frozenset[str]) -> str:
    codes = ", ".join(f"'{c}'" for c in sorted(counties))
    return f"case when left({expr}, 6) in ({codes}) then left({expr}, 6) end"


def area_source(contract: Contract, present: set[str], counties: frozenset[str]) -> AreaSource:
    """The district and grid expressions for ``contract``'s staging table with columns ``present``.

    Pure: ``counties`` are the 宜春市 county codes a district may be (``rules.yichun_divisions()``).
    """
    candidates: list[tuple[str, str]] = []  # (basis name, SQL giving text that starts with the county code)
    for kind in ("gb2260_division", "stats_division_code"):
        for col in contract.columns:
            if not any(r.rule == kind for r in col.rules):
                continue
            # The standard form when staging has one (full-width digits made half-width), else the value as sent.
            name = f"std_{col.name}" if f"std_{col.name}" in present else col.name
            if name in present:
                candidates.append((name, f"trim(s.{_ident(name)})"))
    for _, _, key in address_columns(contract):
        if key in present:
            candidates.append((key, f"s.{_ident(key)}"))
    has_grid = GRID_COLUMN in present and any(c.name == GRID_COLUMN for c in contract.columns)
    if has_grid:
        candidates.append((GRID_COLUMN, f"trim(s.{_ident(GRID_COLUMN)})"))
    if candidates:
        parts = [_county(sql, counties) for _, sql in candidates]
        district = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        basis = " > ".join(name for name, _ in candidates)
    else:
        district, basis = "null::varchar", "none"
    grid = f"nullif(trim(s.{_ident(GRID_COLUMN)}), '')" if has_grid else "null::varchar"
    return AreaSource(district_sql=district, grid_sql=grid, basis=basis)


def district_names(counties: frozenset[str]) -> dict[str, str]:
    """County code → its name today, from python-stdnum's GB/T 2260 history (as the rules use it)."""
    from stdnum import numdb

    db = numdb.get("cn/loc")
    names = {}
    for code in counties:
        info = {k: v for _, props in db.info(code) for k, v in props.items()}
        for entry in (info.get("county") or "").split(","):
            m = re.match(r"^\[(\d*)-(\d*)\](.*)$", entry)
            if m and not m.group(2):  # open-ended: the name in force today
                names[code] = m.group(3)
        names.setdefault(code, code)
    return names


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"describe {table}").fetchall()}


def write(con: duckdb.DuckDBPyConnection, run_id: str, run_at, contracts: list[Contract]) -> None:
    """Write the breakdowns of ``run_id`` for ``contracts`` (already in ``quality.record_verdicts`` and
    ``quality.validity_runs``) and refresh the run's department totals. Runs inside the caller's transaction."""
    con.execute(DDL)
    counties = rules.yichun_divisions()
    names = district_names(counties)
    con.register("_district_names", pa.table({"code": list(names), "name": list(names.values())}))
    try:
        for contract in contracts:
            for table in TABLES:
                con.execute(f"delete from quality.{table} where run_id = ? and contract_id = ?", [run_id, contract.id])
            table = f"staging.{model_name(contract)}"
            src = area_source(contract, _columns(con, table), counties)
            params = [run_id, run_at, contract.id, contract.department_name]
            # Staging is a view over the lake: read it once per feed, then aggregate what was read.
            con.execute(
                f"""
                create or replace temp table _located as
                select v.is_valid, {src.district_sql} as district_code, {src.grid_sql} as grid_code, s.load_date
                from quality.record_verdicts v join {table} s using (record_id)
                where v.run_id = ? and v.contract_id = ?
                """,
                [run_id, contract.id],
            )
            con.execute(
                """
                insert into quality.validity_by_area
                select ?, ?, ?, ?, l.district_code, n.name, l.grid_code, ?,
                       count(*), count(*) filter (where l.is_valid), count(*) filter (where l.is_valid) / count(*)
                from _located l left join _district_names n on n.code = l.district_code
                group by l.district_code, n.name, l.grid_code
                """,
                [*params, src.basis],
            )
            con.execute(
                """
                insert into quality.validity_by_day
                select ?, ?, ?, ?, l.load_date,
                       count(*), count(*) filter (where l.is_valid), count(*) filter (where l.is_valid) / count(*)
                from _located l group by l.load_date
                """,
                params,
            )
            _write_dimensions(con, run_id, run_at, contract)
    finally:
        con.unregister("_district_names")
        con.execute("drop table if exists _located")
    con.execute("delete from quality.validity_by_department where run_id = ?", [run_id])
    con.execute(
        """
        insert into quality.validity_by_department
        select run_id, max(run_at), department, count(*), sum(records), sum(valid_records),
               sum(valid_records) / nullif(sum(records), 0),
               sum(records) filter (where target is not null),
               sum(valid_records) filter (where target is not null),
               sum(valid_records) filter (where target is not null)
                   / nullif(sum(records) filter (where target is not null), 0)
        from quality.validity_runs where run_id = ?
        group by run_id, department
        """,
        [run_id],
    )


def _write_dimensions(con: duckdb.DuckDBPyConnection, run_id: str, run_at, contract: Contract) -> None:
    """A record fails a dimension when it broke an error rule of that dimension; warned when only warnings.
    Dimension validity = records not failing it ÷ records (GB/T 36344 scores each dimension as a ratio A/B)."""
    by_rule = pa.table({
        "rule_id": [r.rule_id for r in contract.rules],
        "dimension": [r.gbt36344 for r in contract.rules],
        "is_error": [r.is_strong for r in contract.rules],
    })
    con.register("_rule_dimensions", by_rule)
    try:
        counts = {
            d: (failed, warned)
            for d, failed, warned in con.execute(
                """
                with broken as (
                    select record_id, unnest(failed_rules) as rule_id
                    from quality.record_verdicts where run_id = ? and contract_id = ?
                ), per_record as (
                    select b.record_id, d.dimension, bool_or(d.is_error) as failed
                    from broken b join _rule_dimensions d using (rule_id)
                    group by all
                )
                select dimension, count(*) filter (where failed), count(*) filter (where not failed)
                from per_record group by dimension
                """,
                [run_id, contract.id],
            ).fetchall()
        }
    finally:
        con.unregister("_rule_dimensions")
    (records,) = con.execute(
        "select count(*) from quality.record_verdicts where run_id = ? and contract_id = ?", [run_id, contract.id]
    ).fetchone()
    rows = []
    for dim in dict.fromkeys(r.gbt36344 for r in contract.rules):
        failed, warned = counts.get(dim, (0, 0))
        n_rules = sum(1 for r in contract.rules if r.gbt36344 == dim)
        ratio = (records - failed) / records if records else None
        rows.append([run_id, run_at, contract.id, contract.department_name, dim, n_rules, records, failed, warned, ratio])
    if rows:
        con.executemany("insert into quality.validity_by_dimension values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
