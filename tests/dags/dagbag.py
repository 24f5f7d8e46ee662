"""Load DAG files the way Airflow does, under CityLake's Airflow environment (restored afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def loaded_dagbag(dag_folder: Path, data_dir: Path) -> Iterator:
    """A ``DagBag`` of ``dag_folder`` (a folder or one file) with the environment ``citylake run`` gives Airflow,
    its data under ``data_dir``."""
    from citylake.airflow_env import airflow_env
    from citylake.config import settings
    from citylake.dbt import temporary_environ

    with temporary_environ(airflow_env(settings({"CITYLAKE_HOME": str(ROOT), "CITYLAKE_DATA_DIR": str(data_dir)}))):
        from airflow.dag_processing.dagbag import DagBag

        yield DagBag(dag_folder=str(dag_folder))
