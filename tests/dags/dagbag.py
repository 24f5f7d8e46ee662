"""Load DAG files the way Airflow does, under CityLake's Airflow environment (restored afterwards)."""

from __future__ import annotations

import os
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

    env = airflow_env(settings({"CITYLAKE_HOME": str(ROOT), "CITYLAKE_DATA_DIR": str(data_dir)}))
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from airflow.dag_processing.dagbag import DagBag

        yield DagBag(dag_folder=str(dag_folder))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
