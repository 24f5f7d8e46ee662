"""The dbt stage: dbt sources generated from the contracts, and dbt run in-process.

``generate_sources_yaml`` is pure (contracts in, YAML text out); ``write_sources`` writes the committed
``dbt_project/models/staging/_sources.yml``; ``run_dbt`` runs dbt with the project's own profile, pointing
it at the warehouse and the lake of the given settings through the environment variables the profile and
the sources read (``CITYLAKE_WAREHOUSE``, ``CITYLAKE_LAKE_DIR``).

A feed whose lake folder has no Parquet file yet (no load so far) does not break the build: the staging
macro ``lake_source`` sees the empty folder and reads an empty relation with the contract's columns instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # pragma: no cover - typing only
    from citylake.config import Settings
    from ingest.contracts import Contract

LAKE_ENV = "CITYLAKE_LAKE_DIR"
WAREHOUSE_ENV = "CITYLAKE_WAREHOUSE"
SOURCES_FILE = Path("models") / "staging" / "_sources.yml"

_HEADER = (
    "# Generated from contracts/*/*.yaml by `citylake contracts dbt-sources` (citylake.dbt.write_sources).\n"
    "# Do not edit by hand: change the contract and regenerate. A test keeps this file in sync.\n"
)


class DbtError(RuntimeError):
    """dbt failed; the message lists every failing node with dbt's own message."""

    def __init__(self, message: str, failures: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)  # (unique_id, status, message)


def lake_glob(dept: str, feed: str, lake_dir: str) -> str:
    """The Parquet files of one feed: every load under ``raw/<dept>/<feed>/load_date=…/``."""
    return f"{lake_dir}/raw/{dept}/{feed}/*/*.parquet"


def _source_table(contract: Contract) -> dict[str, Any]:
    lake = "{{ env_var('" + LAKE_ENV + "', '../data/lake') }}"
    pattern = lake_glob(contract.dept, contract.feed, lake)
    grain = contract.grain or f"One row per {contract.feed} record as sent"
    # A full export replaces the last one; deltas (and API/database pulls) add versions.
    latest_file = contract.delivery.kind == "file" and contract.delivery.mode == "full"
    snapshot = "full snapshot per file" if latest_file else "every version delivered"
    from citylake.staging import address_columns, column_standard

    meta: dict[str, Any] = {
        "contract_id": contract.id,
        "basic_dataset": contract.basic_dataset,
        "delivery": contract.delivery.kind,
        "snapshot": "latest_file" if latest_file else "versions",
        "lake_glob": pattern,
        "external_location": (
            f"read_parquet('{pattern}', hive_partitioning=true, union_by_name=true)"
        ),
        # Staging derives an address key from each (address, division column, key name).
        "addresses": [list(a) for a in address_columns(contract)],
    }
    return {
        "name": contract.feed,
        "description": f"{grain}. {contract.table_label}（{contract.department_name}，{snapshot}）。",
        "config": {"meta": meta},
        "columns": [
            {
                "name": c.name,
                "description": c.label,
                "config": {"meta": {"pii": c.pii, "grade": c.grade,
                                    **({"formats": list(c.formats)} if c.formats else {}),
                                    **({"standard": column_standard(c)} if column_standard(c) else {})}},
            }
            for c in contract.columns
        ],
    }


def generate_sources_yaml(contracts: list[Contract], lake_dir: Path | None = None) -> str:
    """One dbt sources file for all contracts: a source per department, a table per feed.

    ``lake_dir`` is accepted for symmetry with the settings but never written into the file: the lake
    location is rendered at dbt run time from ``CITYLAKE_LAKE_DIR``, so the committed file is the same on
    every machine.
    """
    del lake_dir  # the committed file must not depend on where the lake is
    by_dept: dict[str, list[Contract]] = {}
    for c in sorted(contracts, key=lambda c: c.id):
        by_dept.setdefault(c.dept, []).append(c)
    sources = [
        {
            "name": dept,
            "description": f"{feeds[0].department_name}（{dept}）投递的数据，读取自湖中的 Parquet 文件。",
            "schema": dept,
            "tables": [_source_table(c) for c in feeds],
        }
        for dept, feeds in by_dept.items()
    ]
    body = yaml.safe_dump(
        {"version": 2, "sources": sources}, allow_unicode=True, sort_keys=False, width=1000
    )
    return _HEADER + body


def write_sources(settings: Settings) -> Path:
    """Regenerate ``dbt_project/models/staging/_sources.yml`` from the contracts; returns its path."""
    from ingest.contracts import load_contracts

    path = settings.dbt_project_dir / SOURCES_FILE
    text = generate_sources_yaml(load_contracts(settings.contracts_dir), settings.lake_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dbt_env(settings: Settings, warehouse: Path | None = None) -> dict[str, str]:
    """Environment variables the profile and the sources read."""
    return {WAREHOUSE_ENV: str(warehouse or settings.warehouse), LAKE_ENV: settings.lake_url}


@contextmanager
def temporary_environ(values: dict[str, str]) -> Iterator[None]:
    # dbt reads env_var() from os.environ; restore it so one run cannot leak into the next.
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _failures(result: Any) -> list[tuple[str, str, str]]:
    out = []
    for r in getattr(result, "results", None) or []:
        status = str(getattr(r, "status", ""))
        if status.lower() in {"error", "fail", "runtime error"}:
            node = getattr(r, "node", None)
            uid = getattr(node, "unique_id", "?") if node is not None else "?"
            out.append((uid, status, (getattr(r, "message", None) or "").strip()))
    return out


def _release_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    DuckDB allows one writing process per file and refuses a second connection with another
    configuration in the same process: without this, the next stage (the validity runner, a test reading
    the warehouse read-only) could not open it until the interpreter exits.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager
    except ImportError:  # pragma: no cover - another adapter
        return
    with manager._LOCK:
        env, manager._ENV = manager._ENV, None
        if env is not None:
            env.close()


def run_dbt(settings: Settings, args: list[str], warehouse: Path | None = None) -> None:
    """Run ``dbt <args>`` in-process on ``dbt_project/`` against a DuckDB file (default: the settings'
    warehouse) and the settings' lake.

    Raises :class:`DbtError` naming every failing node when dbt does not succeed.
    """
    from dbt.cli.main import dbtRunner

    project = settings.dbt_project_dir
    database = warehouse or settings.warehouse
    database.parent.mkdir(parents=True, exist_ok=True)
    full = [*args, "--project-dir", str(project), "--profiles-dir", str(project)]
    with temporary_environ(dbt_env(settings, database)):
        try:
            res = dbtRunner().invoke(full)
        finally:
            _release_warehouse()
    if res.success:
        return
    failures = _failures(res.result)
    lines = [f"dbt {' '.join(args)} failed"]
    if res.exception is not None:
        lines.append(f"  {type(res.exception).__name__}: {res.exception}")
    lines += [f"  {uid} [{status}]: {msg}" for uid, status, msg in failures]
    raise DbtError("\n".join(lines), failures)


def manifest_path(target_dir: Path) -> Path:
    return target_dir / "manifest.json"


def build(settings: Settings, target_dir: Path | None = None) -> Path:
    """``dbt build`` (seeds, models and their tests, unit tests included) into the private build database
    (write–audit–publish: readers never see it; ``citylake.publish`` publishes it once audited).

    Returns the manifest dbt wrote, whose lineage decides which marts may be published.
    """
    from citylake.publish import prepare_build_db

    target = target_dir or settings.dbt_project_dir / "target"
    prepare_build_db(settings.build_db, settings.warehouse)
    run_dbt(settings, ["build", "--target-path", str(target)], warehouse=settings.build_db)
    return manifest_path(target)
