"""Run-time configuration, resolved in one place and only when asked (never at import).

Every path defaults to a folder of the checkout, so `make run` needs no server and no setting.
Environment variables override them:

| variable | default | what |
| --- | --- | --- |
| CITYLAKE_HOME | the checkout | project root (contracts/, dbt_project/, dags/) |
| CITYLAKE_DATA_DIR | $CITYLAKE_HOME/data | landing, lake, simulator output, Airflow metadata |
| CITYLAKE_WAREHOUSE | $CITYLAKE_HOME/warehouse/citylake.duckdb | the DuckDB warehouse |
| CITYLAKE_REPORTS_DIR | $CITYLAKE_HOME/reports/out | generated reports |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    home: Path
    data_dir: Path
    warehouse: Path
    reports_dir: Path

    @property
    def contracts_dir(self) -> Path:
        return self.home / "contracts"

    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt_project"

    @property
    def landing_dir(self) -> Path:
        """Where departments drop files (one folder per department and feed)."""
        return self.data_dir / "landing"

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def sim_dir(self) -> Path:
        """Simulator side: ground truth and the API departments' backing data. The pipeline never reads it."""
        return self.data_dir / "sim"

    @property
    def airflow_home(self) -> Path:
        return self.data_dir / "airflow"


def settings(env: dict[str, str] | None = None) -> Settings:
    """Resolve settings from ``env`` (default: the process environment) at call time."""
    env = os.environ if env is None else env
    home = Path(env.get("CITYLAKE_HOME") or _CHECKOUT).resolve()
    data_dir = Path(env.get("CITYLAKE_DATA_DIR") or home / "data").resolve()
    return Settings(
        home=home,
        data_dir=data_dir,
        warehouse=Path(env.get("CITYLAKE_WAREHOUSE") or home / "warehouse" / "citylake.duckdb").resolve(),
        reports_dir=Path(env.get("CITYLAKE_REPORTS_DIR") or home / "reports" / "out").resolve(),
    )
