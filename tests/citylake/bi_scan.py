"""A PII scanner for DuckDB files, independent of the masking code it checks (reusable by any test).

Every string and integer value of every column of every table is looked at for:

- ``id_number``: a digit run shaped like an 18- or 15-digit ID that is valid per GB 11643
  (``stdnum.cn.ric``: region, birth date, check digit), or that contains one of the truth's raw ID numbers;
- ``phone``: a mobile number (``1[3-9]`` + 9 digits) standing alone (not inside a longer run of letters and
  digits: a hex pseudonym holds digit runs by chance), or any of the truth's raw phone numbers anywhere;
- ``name``: a value that is exactly one of the truth's full names (two characters or more).

The truth is the simulator's ground truth (``<sim_dir>/truth/*.parquet``): every person, grid worker and
legal representative it made up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ID_RUN = re.compile(r"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_DIGIT_RUN = re.compile(r"[0-9]{15,}[Xx]?")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER", "UHUGEINT"}


@dataclass(frozen=True)
class Truth:
    id_numbers: frozenset[str]
    phones: frozenset[str]
    names: frozenset[str]


@dataclass(frozen=True)
class Leak:
    table: str
    column: str
    kind: str  # id_number | phone | name
    value: str


def load_truth(truth_dir: Path) -> Truth:
    import pyarrow.parquet as pq

    ids: set[str] = set()
    phones: set[str] = set()
    names: set[str] = set()
    columns = {"id_number": ids, "legal_rep_id_number": ids, "phone": phones, "name": names,
               "legal_rep_name": names}
    for file, wanted in (("persons", ("id_number", "phone", "name")), ("grid_workers", ("id_number", "phone", "name")),
                         ("orgs", ("legal_rep_id_number", "legal_rep_name"))):
        path = truth_dir / f"{file}.parquet"
        if not path.exists():
            continue
        table = pq.read_table(path, columns=list(wanted))
        for col in wanted:
            for v in table.column(col).to_pylist():
                if v and str(v).strip():
                    columns[col].add(str(v).strip().upper() if "id_number" in col else str(v).strip())
    return Truth(frozenset(ids), frozenset(phones), frozenset(n for n in names if len(n) >= 2))


def leaks_in_value(value: str, truth: Truth) -> list[str]:
    """The kinds of personal data ``value`` carries."""
    from stdnum.cn import ric

    kinds = []
    if any(ric.is_valid(m.group(1)) for m in _ID_RUN.finditer(value)) or any(
            i in run.upper() for run in _DIGIT_RUN.findall(value) for i in truth.id_numbers if len(i) <= len(run)):
        kinds.append("id_number")
    if _MOBILE.search(value) or (len(value) >= 11 and any(p in value for p in truth.phones)):
        kinds.append("phone")
    if value.strip() in truth.names:
        kinds.append("name")
    return kinds


def scan(database: Path, truth: Truth, schemas: set[str] | None = None) -> list[Leak]:
    """Every leak in the tables of ``database`` (opened read-only), optionally only those of ``schemas``."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        columns = con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database() and not internal").fetchall()
        tables = {(s, t) for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()").fetchall()}
        leaks = []
        for schema, table, column, data_type in columns:
            if (schema, table) not in tables or (schemas and schema not in schemas):
                continue
            if data_type != "VARCHAR" and data_type not in _INTEGER_TYPES:
                continue
            values = con.execute(
                f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            for (v,) in values:
                for kind in leaks_in_value(v, truth):
                    leaks.append(Leak(f"{schema}.{table}", column, kind, v))
        return leaks
    finally:
        con.close()
