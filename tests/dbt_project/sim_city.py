"""A simulated city taken through the real pipeline stages into a warehouse, for tests that grade the
warehouse against the simulator's ground truth (entity resolution, marts, indicators).

simulate → ingest every active feed (API departments on a loopback server with a token, the 卫健
front-end database as its embedded SQLite file) → ``dbt build``. No Airflow: the stages are the functions
the DAG calls (``citylake.pipeline``). About a minute for 3,000 persons on this machine.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from citylake.config import Settings, settings

AS_OF = dt.date(2026, 11, 21)
SEED = 20261121


def sim_settings(root: Path) -> Settings:
    """The settings of a city built by :func:`build_sim_warehouse` under ``root``."""
    return settings({"CITYLAKE_DATA_DIR": str(root / "data"), "CITYLAKE_WAREHOUSE": str(root / "wh.duckdb")})


def build_sim_warehouse(root: Path, persons: int = 3000, seed: int = SEED, as_of: dt.date = AS_OF,
                        dbt_command: str = "build") -> Settings:
    """The city's data folder and warehouse under ``root``; returns their settings. The truth is under
    ``settings.sim_dir / "truth"``."""
    from citylake import pipeline
    from citylake.dbt import run_dbt, temporary_environ
    from ingest.contracts import load_contracts
    from simulator.api_server import DepartmentApiServer
    from simulator.city import simulate
    from simulator.frontdb import resolve_url

    s = sim_settings(root)
    simulate(s.data_dir, persons=persons, seed=seed, as_of=as_of, progress=False)
    token = secrets.token_hex(8)
    with DepartmentApiServer(s.sim_dir, token=token) as server:
        hostport = server.base_url.split("://", 1)[1]
        env = {}
        for c in load_contracts(s.contracts_dir):
            if c.delivery.kind == "api" and c.delivery.connection:
                env[f"AIRFLOW_CONN_{c.delivery.connection.upper()}"] = f"http://:{token}@{hostport}"
            elif c.delivery.kind == "db" and c.delivery.connection:
                env[f"AIRFLOW_CONN_{c.delivery.connection.upper()}"] = resolve_url(None, s.sim_dir, c.dept)
        with temporary_environ(env):
            for cid in pipeline.feed_ids(s):
                pipeline.ingest(cid, s)
    # The warehouse's as-of date is the latest load date, i.e. today's; the city's is ``as_of``.
    run_dbt(s, [dbt_command, "--vars", f'{{"as_of_date": "{as_of.isoformat()}"}}',
                "--target-path", str(root / "target"), "--log-path", str(root / "logs")])
    return s
