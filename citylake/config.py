"""Run-time configuration, resolved in one place and only when asked (never at import).

Every path defaults to a folder of the checkout, so `make run` needs no server and no setting.
Environment variables override them:

| variable | default | what |
| --- | --- | --- |
| CITYLAKE_HOME | the checkout | project root (contracts/, dbt_project/, dags/) |
| CITYLAKE_DATA_DIR | $CITYLAKE_HOME/data | landing, lake, simulator output, Airflow metadata |
| CITYLAKE_WAREHOUSE | $CITYLAKE_HOME/warehouse/citylake.duckdb | the published DuckDB warehouse readers open |
| CITYLAKE_BUILD_WAREHOUSE | `<name>.build.duckdb` beside it | the private build database (write, audit, then publish) |
| CITYLAKE_REPORTS_DIR | $CITYLAKE_HOME/reports/out | generated reports |
| CITYLAKE_LAKE_URL | $CITYLAKE_DATA_DIR/lake | where ingestion writes the lake: a folder or an fsspec URL (s3://…) |
| CITYLAKE_BI_WAREHOUSE | `bi.duckdb` beside the published warehouse | the PII-masked database BI tools open (read-only) |
| CITYLAKE_BI_KEY | Airflow connection `citylake_bi` (password), else a key generated once under $CITYLAKE_DATA_DIR/secrets/ | the secret behind the BI database's stable pseudonyms |
| CITYLAKE_RECIPIENTS | $CITYLAKE_HOME/reports/recipients.yaml | who receives each scheduled report and each department's correction list |

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
    build_warehouse: Path | None = None  # None: `<name>.build.duckdb` beside the published warehouse
    bi_warehouse: Path | None = None  # None: `bi.duckdb` beside the published warehouse
    recipients_file: Path | None = None  # None: reports/recipients.yaml of the checkout

    @property
    def build_db(self) -> Path:
        """Where dbt builds and the validity runner audits, before anything is published to ``warehouse``.

        DuckDB names a database by its file name up to the first dot, and dbt writes that name into every
        view it creates: the build file must share the published file's name (``citylake.build.duckdb`` for
        ``citylake.duckdb``), or the published views would point at a catalogue that does not exist.
        """
        path = self.build_warehouse or self.warehouse.with_name(
            f"{catalog_name(self.warehouse)}.build{self.warehouse.suffix or '.duckdb'}")
        if catalog_name(path) != catalog_name(self.warehouse):
            raise ValueError(f"build database {path} must be named {catalog_name(self.warehouse)}.<anything> "
                             f"like the published {self.warehouse.name}: dbt's views name their database")
        return path

    @property
    def bi_db(self) -> Path:
        """The PII-masked database for BI tools, published after the warehouse (see :mod:`citylake.bi`)."""
        return self.bi_warehouse or self.warehouse.with_name("bi.duckdb")

    @property
    def recipients(self) -> Path:
        """Who receives each scheduled report and each department's correction list."""
        return self.recipients_file or self.home / "reports" / "recipients.yaml"

    @property
    def secrets_dir(self) -> Path:
        """Generated secrets of a local run (git-ignored with the rest of the data folder)."""
        return self.data_dir / "secrets"

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


def catalog_name(database: Path) -> str:
    """The name DuckDB gives a database file when it opens it (the file name up to its first dot)."""
    return database.name.split(".", 1)[0]


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
        build_warehouse=Path(env["CITYLAKE_BUILD_WAREHOUSE"]).resolve() if env.get("CITYLAKE_BUILD_WAREHOUSE") else None,
        bi_warehouse=Path(env["CITYLAKE_BI_WAREHOUSE"]).resolve() if env.get("CITYLAKE_BI_WAREHOUSE") else None,
        recipients_file=Path(env["CITYLAKE_RECIPIENTS"]).resolve() if env.get("CITYLAKE_RECIPIENTS") else None,
    )


BI_CONN_ID = "citylake_bi"


def bi_key(s: Settings, env: dict[str, str] | None = None) -> bytes:
    """The secret key of the BI database's pseudonyms, resolved at call time and never from the repository.

    ``$CITYLAKE_BI_KEY``, else the password of the Airflow connection ``citylake_bi``, else (a local run
    with neither) a random key generated once under ``data_dir/secrets/`` with mode 0600, so pseudonyms
    stay stable from run to run on this machine.
    """
    import secrets

    env = os.environ if env is None else env
    if env.get("CITYLAKE_BI_KEY"):
        return env["CITYLAKE_BI_KEY"].encode()
    if env.get(f"AIRFLOW_CONN_{BI_CONN_ID.upper()}") or env.get("AIRFLOW_HOME"):
        try:
            from airflow.sdk import Connection

            password = Connection.get(BI_CONN_ID).password
            if password:
                return password.encode()
        except Exception:
            pass  # not configured in Airflow: fall back to the local key
    path = s.secrets_dir / "bi_pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


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


@dataclass(frozen=True)
class Smtp:
    """An SMTP server to send alerts through, and who receives them."""

    host: str
    port: int
    login: str | None
    password: str | None
    sender: str
    recipients: tuple[str, ...]
    ssl: bool = False
    starttls: bool = False


def smtp(conn_id: str = "smtp_default", env: dict[str, str] | None = None) -> Smtp | None:
    """The Airflow connection ``conn_id`` as an SMTP server, or None when it is not configured.

    ``AIRFLOW_CONN_SMTP_DEFAULT=smtp://user:pw@host:25?from=citylake@city.gov.cn&to=a@x,b@y`` (extras as
    Airflow's URI query: ``from``, ``to``, ``ssl``, ``starttls``), else Airflow's own connection store.
    """
    from urllib.parse import parse_qsl, unquote, urlsplit

    env = os.environ if env is None else env
    raw = env.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if raw:
        u = urlsplit(raw)
        host, port, login, password = u.hostname, u.port, unquote(u.username or "") or None, unquote(u.password or "") or None
        extra = dict(parse_qsl(u.query))
    else:
        try:
            from airflow.sdk import Connection

            c = Connection.get(conn_id)
        except Exception:
            return None
        host, port, login, password, extra = c.host, c.port, c.login, c.password, c.extra_dejson
    if not host:
        return None
    on = {"1", "true", "yes"}
    return Smtp(
        host=host, port=int(port or 25), login=login, password=password,
        sender=extra.get("from") or extra.get("from_email") or login or f"citylake@{host}",
        recipients=tuple(a.strip() for a in str(extra.get("to") or "").split(",") if a.strip()),
        ssl=str(extra.get("ssl", "")).lower() in on, starttls=str(extra.get("starttls", "")).lower() in on,
    )
