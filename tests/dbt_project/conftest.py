"""One dbt build of the fixture lake per session, shared by the model tests (a build takes ~30 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from citylake.config import Settings, settings
from citylake.dbt import run_dbt
from ingest.contracts import load_contracts
from tests.dbt_project.lake_fixture import build_lake


def tmp_settings(root: Path) -> Settings:
    """Settings for a throw-away city under ``root`` (the checkout's contracts and dbt project)."""
    return settings({"CITYLAKE_DATA_DIR": str(root / "data"), "CITYLAKE_WAREHOUSE": str(root / "wh.duckdb")})


def dbt_args(root: Path, *args: str) -> list[str]:
    """Keep dbt's target/ and logs/ in the test's folder, so tests never race a developer's own run."""
    return [*args, "--target-path", str(root / "target"), "--log-path", str(root / "logs")]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("city")
    s = tmp_settings(root)
    build_lake(s.lake_dir, {c.id: c for c in load_contracts(s.contracts_dir)})
    run_dbt(s, dbt_args(root, "build"))
    return s


@pytest.fixture
def wh(built: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


@pytest.fixture(scope="session")
def sim_built() -> Settings:
    """A 3,000-person simulated city through simulate → ingest → dbt build (tests/dbt_project/sim_city.py):
    the warehouse to grade against the simulator's ground truth (``sim_built.sim_dir / "truth"``). It is the
    session's one shared city (``tests/published_city.py``), built once for every xdist worker: read-only."""
    from tests.published_city import built_city

    return built_city()


def private_copy(s: Settings, root: Path) -> Settings:
    """``s`` with its warehouse copied under ``root``: for a test that runs dbt (which opens the database for
    writing) on the shared, read-only city. The file keeps its name, which dbt's views use as catalogue."""
    import shutil
    from dataclasses import replace

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(s.warehouse, root / s.warehouse.name)
    return replace(s, warehouse=root / s.warehouse.name, build_warehouse=None)


@pytest.fixture
def sim_wh(sim_built: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(sim_built.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()
