"""Run-time configuration, resolved in one place and only when asked (never at import).

Every path defaults to a folder of the checkout, so `make run` needs no server and no setting.
Environment variables override them:

| variable | default | what |
| --- | --- | --- |
| CITYLAKE_HOME | the checkout | project root (contracts/, dbt_project/, dags/) |
| CITYLAKE_DATA_DIR | $CITYLAKE_HOME/data | landing, lake, simulator output, Airflow metadata |
| CITYLAKE_WAREHOUSE | $CITYLAKE_HOME/warehouse/citylake.duckdb | the DuckDB warehouse |
| CITYLAKE_REPORTS_DIR | $CITYLAKE_HOME/reports/out | generated reports |
| CITYLAKE_LAKE_URL | $CITYLAKE_DATA_DIR/lake | where ingestion writes the lake: a folder or an fsspec URL (s3://…) |

The warehouse build reads the lake with DuckDB, which needs a local (or mounted) folder unless DuckDB's
httpfs extension is installed; ingestion itself writes to any fsspec filesystem.
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
    lake_url: str = ""

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
        lake_url=env.get("CITYLAKE_LAKE_URL") or str(data_dir / "lake"),
    )


@dataclass(frozen=True)
class Endpoint:
    """Where an API department answers, and the token it expects."""

    base_url: str
    token: str | None


def endpoint(conn_id: str, env: dict[str, str] | None = None) -> Endpoint:
    """Resolve an Airflow connection to an endpoint, at call time.

    ``AIRFLOW_CONN_<ID>`` (URI ``http://:TOKEN@host:port`` or Airflow's JSON form) works both inside Airflow
    and for ``citylake ingest`` by hand; otherwise Airflow's own connection store is asked. Tokens never
    live in the repository.
    """
    import json
    from urllib.parse import unquote, urlsplit

    env = os.environ if env is None else env
    raw = env.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if raw:
        if raw.lstrip().startswith("{"):
            d = json.loads(raw)
            scheme = d.get("schema") or ("https" if d.get("conn_type") == "https" else "http")
            port = f":{d['port']}" if d.get("port") else ""
            return Endpoint(f"{scheme}://{d['host']}{port}", d.get("password"))
        u = urlsplit(raw)
        scheme = "https" if u.scheme == "https" else "http"
        return Endpoint(f"{scheme}://{u.hostname}{f':{u.port}' if u.port else ''}", unquote(u.password or "") or None)
    try:
        from airflow.sdk import Connection

        c = Connection.get(conn_id)
    except Exception as exc:
        raise LookupError(
            f"connection {conn_id!r} is not configured: set AIRFLOW_CONN_{conn_id.upper()} "
            f"(e.g. http://:TOKEN@127.0.0.1:8000) or add it to Airflow ({exc})"
        ) from exc
    port = f":{c.port}" if c.port else ""
    return Endpoint(f"{c.schema or 'http'}://{c.host}{port}", c.password)


_DRIVERS = {
    "postgres": "postgresql+psycopg2",
    "postgresql": "postgresql+psycopg2",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
}


def database_url(conn_id: str, env: dict[str, str] | None = None) -> str:
    """Resolve an Airflow connection to a SQLAlchemy URL for a front-end database, at call time.

    ``AIRFLOW_CONN_<ID>`` as a URI (``postgres://user:pw@host:5432/db``, ``mysql://…``, ``sqlite:////abs/file.db``),
    else Airflow's own connection store.
    """
    env = os.environ if env is None else env
    raw = env.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not raw:
        try:
            from airflow.sdk import Connection

            raw = Connection.get(conn_id).get_uri()
        except Exception as exc:
            raise LookupError(
                f"connection {conn_id!r} is not configured: set AIRFLOW_CONN_{conn_id.upper()} "
                f"(e.g. postgres://user:pw@127.0.0.1:5432/db) or add it to Airflow ({exc})"
            ) from exc
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise ValueError(f"connection {conn_id!r}: not a URI")
    base = scheme.split("+", 1)[0]
    driver = scheme if "+" in scheme else _DRIVERS.get(base, scheme)
    return f"{driver}://{rest}"
