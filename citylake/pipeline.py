"""The pipeline's stages as plain functions: what each Airflow task (and the CLI) calls.

Each stage resolves settings at call time, imports its heavy libraries inside, and returns small
JSON-serialisable summaries (they travel between Airflow tasks as XComs).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

from citylake.config import Settings, database_url, endpoint, settings as resolve_settings


class IngestRejected(RuntimeError):
    """A delivered source could not be read at all; it was quarantined whole and the others still loaded."""


class QualityGateFailed(RuntimeError):
    """A dataset with a strong gate is below its validity target: a verdict on the data, not a crash."""


def _contracts(s: Settings):
    return _load_contracts(s.contracts_dir)


@functools.lru_cache(maxsize=4)
def _load_contracts(root):
    # One process (a CLI call, an Airflow task) reads the contracts once, however many feeds it handles.
    from ingest.contracts import load_contracts

    return tuple(load_contracts(root))


def feed_ids(s: Settings | None = None) -> list[str]:
    return [c.id for c in _contracts(s or resolve_settings())]


def contract(contract_id: str, s: Settings | None = None):
    """The active contract of one feed, read from its own file (``<dept>/<feed>.yaml``) when it is there:
    a task that ingests one feed need not parse the other 54. None for an unknown or inactive feed."""
    s = s or resolve_settings()
    c = _own_file(s.contracts_dir, contract_id)
    if c is not None and c.id == contract_id:
        return c if c.status == "active" else None
    return next((c for c in _contracts(s) if c.id == contract_id), None)


@functools.lru_cache(maxsize=64)
def _own_file(root: Path, contract_id: str):
    from ingest.contracts import load_contract

    path = root / Path(*contract_id.split(".", 1)).with_suffix(".yaml")
    return load_contract(path) if path.is_file() else None


def ingest(contract_id: str, s: Settings | None = None) -> dict:
    """Land every new delivery of one feed. Raises :class:`IngestRejected` after landing the rest."""
    s = s or resolve_settings()
    found = contract(contract_id, s)
    if found is None:
        raise KeyError(f"{contract_id}: no active contract")
    return _ingest(found, s)


def _ingest(contract, s: Settings) -> dict:
    from ingest.load import ingest_api, ingest_db, ingest_files

    if contract.delivery.kind == "file":
        results = ingest_files(contract, s.landing_dir, s.lake_url)
    elif contract.delivery.kind == "api":
        ep = endpoint(contract.delivery.connection or "")
        results = ingest_api(contract, s.lake_url, ep.base_url, ep.token)
    else:
        results = ingest_db(contract, s.lake_url, database_url(contract.delivery.connection or ""))
    summary = {
        "contract_id": contract.id,
        "loads": [asdict(r) for r in results],
        "rows_read": sum(r.rows_read for r in results),
        "rows_written": sum(r.rows_written for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
    }
    rejected = [r for r in results if r.status == "rejected"]
    if rejected:
        raise IngestRejected(
            f"{contract.id}: {len(rejected)} source(s) quarantined whole: "
            + "; ".join(r.message for r in rejected)
        )
    return summary


def build_warehouse(s: Settings | None = None) -> dict[str, list[str]]:
    """Write: dbt builds into the private build database. Returns each mart's upstream feeds (from dbt's
    manifest), which the publish stage needs and the DAG run shows."""
    from citylake.dbt import build
    from citylake.publish import read_lineage

    return read_lineage(build(s or resolve_settings()))


def validate(run_id: str, s: Settings | None = None, run_at: datetime | None = None) -> list[dict]:
    """Audit: the validity runner judges the build database, before anything of it is published.
    ``run_at`` is the moment the run stands for (the DAG run's logical date; default now)."""
    from expectations.runner import summarise, validate as run_validation

    s = s or resolve_settings()
    results = run_validation(replace(s, warehouse=s.build_db), run_id, run_at=run_at)
    print(summarise(results), flush=True)
    return [asdict(r) for r in results]


def publish(results: list[dict], lineage: dict[str, list[str]] | None = None, run_id: str | None = None,
            s: Settings | None = None) -> dict:
    """Publish: marts whose feeds passed their strong gates replace the published ones; the others keep
    their last published version; the quality tables always go out. Returns what was published and held."""
    from citylake.publish import decide, publish as publish_build, read_lineage

    s = s or resolve_settings()
    lineage = read_lineage(s.dbt_project_dir / "target" / "manifest.json") if lineage is None else lineage
    if run_id is None:
        from datetime import timezone

        run_id = f"manual__{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%S.%f}Z"
    outcome = publish_build(s.build_db, s.warehouse, decide(lineage, results), run_id)
    print(outcome.summary(), flush=True)
    return asdict(outcome)


def enforce_gate(result: dict) -> str:
    """Pass, warn or fail one dataset's verdict. Only strong gates below target raise."""
    if result.get("target") is None:
        return f"{result['contract_id']}: no validity target (not basic data)"
    line = (
        f"{result['dataset']} ({result['contract_id']}): {result['ratio']:.1%} valid "
        f"({result['valid_records']}/{result['records']}), target {result['target']:.0%}"
    )
    if result["passed"]:
        return "达标 PASSED " + line
    if result.get("gate") == "strong":
        raise QualityGateFailed("未达标 FAILED " + line + " — strong gate: dependent marts are not published")
    return "未达标 WARNING " + line + " (weak gate)"


def report(run_id: str | None = None, s: Settings | None = None) -> str:
    from reports.quality import render

    return str(render(s or resolve_settings(), run_id))


def correction_lists(run_id: str | None = None, s: Settings | None = None) -> list[dict]:
    """问题数据清单: every department's invalid records of the validity run (default: the latest), as xlsx and
    CSV under ``reports_dir/corrections/<run>/``. Reads the published warehouse, like the report: its quality
    tables and the staging rows the verdicts judged. Returns one summary per department."""
    from reports.corrections import write_lists

    lists = write_lists(s or resolve_settings(), run_id)
    for d in lists:
        print(f"{d.department} ({d.dept}): {d.records} 条问题记录 invalid records, {d.rows} 条问题 rows → {d.xlsx}",
              flush=True)
    return [asdict(d) for d in lists]


def publish_bi(run_id: str | None = None, s: Settings | None = None) -> dict:
    """The BI database (``warehouse/bi.duckdb``): the published marts with personal data masked or
    pseudonymised, renamed into place atomically. Follows publish; refuses a run whose publication did not
    happen (the previous BI database stays). Returns what it holds, held back and absent."""
    from citylake.bi import publish_bi as publish, summary_text

    summary = publish(s or resolve_settings(), run_id)
    print(summary_text(summary), flush=True)
    return summary
