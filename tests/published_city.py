"""One simulated city taken through write, audit and publish, shared by every test that reads the published
warehouse (reports, the BI database, mail) — built once per test session however many xdist workers ask.

simulate → ingest → ``dbt build`` into the build database → validity runner → publish. 流动人口 is given a
weak gate here (as in run 1 of ``tests/citylake/test_publish_sim_city.py``), so every mart is published
and the readers' tests see population, housing and indicators; the failing strong gate has its own tests.

The first worker to ask builds it under a lock; the others wait and reuse it. It is read-only for tests:
a test that writes copies what it needs into its own ``tmp_path`` first (see :func:`copy_published`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

from citylake.config import Settings, settings

PERSONS = 1000
RUN_ID = "scheduled__2026-11-21T04:00:00+08:00"


def _root() -> Path:
    # $CITYLAKE_TEST_PUBLISHED_CITY reuses a city already built (while developing, several pytest runs).
    if os.environ.get("CITYLAKE_TEST_PUBLISHED_CITY"):
        return Path(os.environ["CITYLAKE_TEST_PUBLISHED_CITY"])
    # Unique per pytest session (xdist gives every worker of one session the same id), so a city built
    # by older code in an earlier session is never reused.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    return Path(tempfile.gettempdir()) / f"citylake-published-city-{os.getuid()}-{run}"


def _settings(root: Path) -> Settings:
    return settings({"CITYLAKE_DATA_DIR": str(root / "data"),
                     "CITYLAKE_WAREHOUSE": str(root / "pub" / "citylake.duckdb"),
                     "CITYLAKE_REPORTS_DIR": str(root / "reports"),
                     "CITYLAKE_BI_WAREHOUSE": str(root / "pub" / "bi.duckdb")})


def _build(root: Path) -> None:
    from citylake.dbt import build
    from citylake.publish import decide, publish, read_lineage
    from expectations.runner import validate
    from ingest.contracts import load_contracts
    from tests.dbt_project.sim_city import build_sim_warehouse

    build_sim_warehouse(root, persons=PERSONS, dbt_command="seed")  # simulate + ingest (+ seeds)
    s = _settings(root)
    contracts = [replace(c, gate="weak") if c.id == "gongan.liudong" else c
                 for c in load_contracts(s.contracts_dir)]
    lineage = read_lineage(build(s, target_dir=root / "target"))
    results = validate(replace(s, warehouse=s.build_db), RUN_ID, contracts)
    outcome = publish(s.build_db, s.warehouse, decide(lineage, [asdict(r) for r in results]), RUN_ID)
    assert outcome.held == [], outcome.held


def published_city() -> Settings:
    """Settings of the shared published city (its warehouse, data folder, truth under ``sim_dir``)."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / ".done").exists():
                for child in root.iterdir():
                    if child.name != ".lock":
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
                _build(root)
                (root / ".done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return _settings(root)


def copy_published(dest: Path) -> Settings:
    """A private copy of the published warehouse (and nothing else) under ``dest``, for tests that write:
    the data folder (lake, truth) stays shared and read-only."""
    s = published_city()
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(s.warehouse, dest / s.warehouse.name)
    return replace(s, warehouse=dest / s.warehouse.name, reports_dir=dest / "reports",
                   bi_warehouse=dest / "bi.duckdb", build_warehouse=None)
