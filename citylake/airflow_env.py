"""The environment Airflow runs in for CityLake: metadata on SQLite under data/airflow, our dags/ folder."""

from __future__ import annotations

from citylake.config import Settings


def airflow_env(s: Settings) -> dict[str, str]:
    home = s.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(s.home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        # Stages resolve the same paths as the process that started them.
        "CITYLAKE_HOME": str(s.home),
        "CITYLAKE_DATA_DIR": str(s.data_dir),
        "CITYLAKE_WAREHOUSE": str(s.warehouse),
        "CITYLAKE_REPORTS_DIR": str(s.reports_dir),
        "CITYLAKE_LAKE_URL": s.lake_url,
        "CITYLAKE_BI_WAREHOUSE": str(s.bi_db),
        "CITYLAKE_RECIPIENTS": str(s.recipients),
    }
