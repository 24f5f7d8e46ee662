"""The one simulated city of the test session: built once however many xdist workers ask, and shared by the
tests that grade the warehouse against the ground truth and by those that read the published warehouse
(reports, the BI database, mail, correction lists).

simulate (3,000 persons) → ingest → ``dbt build`` into the build database (``tests/dbt_project/sim_city.py``)
→ validity runner → publish. 流动人口 is given a weak gate here (as in run 1 of
``tests/citylake/test_publish_sim_city.py``), so every mart is published and the readers' tests see
population, housing and indicators; the failing strong gate has its own tests.

- :func:`built_city`: the build database as dbt left it (plus the validity runner's ``quality`` tables);
- :func:`published_city`: the published warehouse beside it.

Both are read-only for tests: a test that writes copies what it needs into its own ``tmp_path`` first (see
:func:`copy_published`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

from citylake.config import Settings, settings
from tests.shared_build import built_once, session_dir

RUN_ID = "scheduled__2026-11-21T04:00:00+08:00"
# The run is dated by its schedule, not by the clock of the machine running the tests: the city is
# simulated as of 2026-11-21 (tests/dbt_project/sim_city.py) and this run describes the day before.
RUN_AT = datetime.fromisoformat(RUN_ID.removeprefix("scheduled__"))


def _root() -> Path:
    # $CITYLAKE_TEST_PUBLISHED_CITY reuses a city already built (while developing, several pytest runs).
    if os.environ.get("CITYLAKE_TEST_PUBLISHED_CITY"):
        return Path(os.environ["CITYLAKE_TEST_PUBLISHED_CITY"])
    return session_dir("city")


def _settings(root: Path) -> Settings:
    # The published file shares the build file's name: dbt's views name their catalogue (citylake/config.py).
    return settings({"CITYLAKE_DATA_DIR": str(root / "data"),
                     "CITYLAKE_BUILD_WAREHOUSE": str(root / "wh.duckdb"),
                     "CITYLAKE_WAREHOUSE": str(root / "pub" / "wh.duckdb"),
                     "CITYLAKE_REPORTS_DIR": str(root / "reports"),
                     "CITYLAKE_BI_WAREHOUSE": str(root / "pub" / "bi.duckdb")})


def _build(root: Path) -> None:
    from citylake.publish import decide, publish, read_lineage
    from expectations.runner import validate
    from ingest.contracts import load_contracts
    from tests.dbt_project.sim_city import build_sim_warehouse

    build_sim_warehouse(root)  # simulate + ingest + dbt build into root/wh.duckdb, manifest in root/target
    s = _settings(root)
    contracts = [replace(c, gate="weak") if c.id == "gongan.liudong" else c
                 for c in load_contracts(s.contracts_dir)]
    lineage = read_lineage(root / "target" / "manifest.json")
    results = validate(replace(s, warehouse=s.build_db), RUN_ID, contracts, run_at=RUN_AT)
    outcome = publish(s.build_db, s.warehouse, decide(lineage, [asdict(r) for r in results]), RUN_ID)
    assert outcome.held == [], outcome.held


def built_city() -> Settings:
    """Settings whose ``warehouse`` is the shared city's dbt-built database (for the graders)."""
    s = published_city()
    return replace(s, warehouse=s.build_db, build_warehouse=None)


def published_city() -> Settings:
    """Settings of the shared published city (its warehouse, data folder, truth under ``sim_dir``)."""
    return _settings(built_once(_root(), _build))


def copy_published(dest: Path) -> Settings:
    """A private copy of the published warehouse (and nothing else) under ``dest``, for tests that write:
    the data folder (lake, truth) stays shared and read-only."""
    s = published_city()
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(s.warehouse, dest / s.warehouse.name)
    return replace(s, warehouse=dest / s.warehouse.name, reports_dir=dest / "reports",
                   bi_warehouse=dest / "bi.duckdb", build_warehouse=None)
