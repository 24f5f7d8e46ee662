"""`citylake run` (what `make run` calls): the whole pipeline on the sample city, through Airflow.

1. Generate the sample city if absent (the departments' drops land in data/landing/).
2. Serve the simulated API departments on loopback and point their Airflow connections at it
   (unless a real endpoint is configured), so no server is needed on a user's machine.
3. Migrate Airflow's SQLite metadata under data/airflow/ and run the DAG with ``dag.test()`` (what
   ``airflow dags test`` does), in a child process.
4. Print every load's accounting, each dataset's verdict, and where the warehouse and report are.
5. Render the leadership reports (日报, 周调度, 月通报: HTML + PDF) from the published warehouse and mail
   them, and each department its correction list, when an ``smtp_default`` connection is configured (what
   the scheduled report DAGs do each morning).

Exit status: 0 when the pipeline ran (a failed quality gate is a verdict on the data, shown, not an
error); 1 when any other task failed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from citylake.airflow_env import airflow_env
from citylake.config import Settings, settings

DAG_ID = "citylake_pipeline"
GATE_TASK = "quality_gate"


SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SCHEDULED_AT = dt.time(4, 0)  # citylake_pipeline's cron, 0 4 * * * Asia/Shanghai


def today() -> dt.date:
    """Today in Asia/Shanghai (the city's calendar; UTC is a day behind for eight hours of it)."""
    return dt.datetime.now(SHANGHAI).date()


def logical_date(as_of: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """The moment the sample city's run stands for: the scheduled 04:00 run of its as-of day (which
    checks the day before), or ``now`` while that is still ahead. Dating the run by the city, not the
    clock, keeps the reports' days the city's days whenever `citylake run` is started."""
    scheduled = dt.datetime.combine(as_of, SCHEDULED_AT, SHANGHAI)
    now = now or dt.datetime.now(SHANGHAI)
    return min(scheduled, now) if now.astimezone(SHANGHAI).date() == as_of else scheduled


def ensure_sample_city(s: Settings, persons: int, seed: int, regenerate: bool,
                       as_of: dt.date | None = None) -> dt.date:
    """Simulate the sample city unless present; return its as-of date (what its truth records)."""
    marker = s.sim_dir / "truth" / "config.json"
    if marker.exists() and not regenerate:
        city_as_of = dt.date.fromisoformat(json.loads(marker.read_text())["as_of"])
        print(f"sample city present: {s.data_dir}, as of {city_as_of} (use --regenerate to simulate again)")
        if as_of and as_of != city_as_of:
            raise SystemExit(f"the sample city in {s.data_dir} is as of {city_as_of}, not {as_of}: "
                             "add --regenerate to simulate it again as of that day")
        return city_as_of
    from simulator.city import simulate

    as_of = as_of or today()
    print(f"simulating a city of {persons:,} persons (seed {seed}) as of {as_of} into {s.data_dir} ...", flush=True)
    simulate(s.data_dir, persons=persons, seed=seed, as_of=as_of)
    return as_of


def migrate_airflow(env: dict[str, str]) -> None:
    airflow = os.path.join(os.path.dirname(sys.executable), "airflow")
    subprocess.run([airflow, "db", "migrate"], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)


def run_dag(env: dict[str, str], log_path, when: dt.datetime | None = None) -> tuple[str, dict[str, list[str]]]:
    """Run the DAG once (``dag.test()``) in a child process; return the run state and task states.

    A child keeps Airflow's logging set-up and the tasks' open DuckDB handles out of this process, and
    inherits the environment (paths, connections). Airflow's own log goes to ``log_path``.
    """
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".json") as out, open(log_path, "w") as log:
        proc = subprocess.run(
            # -P: the working directory is not put on sys.path, so a folder there named like one of our
            # packages (a reports/ output folder, say) cannot shadow it in the DAG run.
            [sys.executable, "-P", "-m", "citylake.dagrun", DAG_ID, out.name, *([when.isoformat()] if when else [])],
            env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
        text = out.read()
    if proc.returncode != 0 or not text:
        raise RuntimeError(f"the DAG could not be run (exit {proc.returncode}); see {log_path}")
    result = json.loads(text)
    return result["state"], result["tasks"]


def summarise(s: Settings) -> None:
    from ingest.contracts import load_contracts
    from ingest.lake import read_manifests

    print("\n== 入湖核算 ingest accounting (physical lines/rows of each delivery = landed + quarantined + header/blank) ==")
    for c in load_contracts(s.contracts_dir):
        for m in read_manifests(s.lake_url, c):
            units = m.physical_units if m.physical_units is not None else m.rows_read
            covered = (m.units_landed or 0) + (m.units_quarantined or 0) + (m.units_skipped or 0)
            ok = "ok" if m.rows_read == m.rows_written + m.rows_quarantined and (
                m.physical_units is None or covered == units) else "MISMATCH"
            print(f"  {c.id:<16} {m.source:<44} {m.status:<8} {m.unit or 'row'}s {units:>7}: written "
                  f"{m.rows_written:>7} + quarantined {m.rows_quarantined:>5}  {ok}"
                  + (f"  held: {m.held_reason}" if m.held_reason else ""))
    rows, published, live_tables = None, None, set()
    if s.warehouse.exists():
        import duckdb

        con = duckdb.connect(str(s.warehouse), read_only=True)
        try:
            tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'quality'").fetchall()}
            # A run whose build or validation failed has no verdicts yet: say so instead of failing here.
            rows = "validity_runs" in tables and con.execute(
                """select dataset, contract_id, records, valid_records, validity_ratio, target, passed
                   from quality.validity_runs
                   where run_id = (select run_id from quality.validity_runs order by run_at desc limit 1)
                     and target is not null order by contract_id"""
            ).fetchall()
            published = "publications" in tables and con.execute(
                """select mart, action, live_run_id, blocked_by from quality.publications
                   where run_id = (select run_id from quality.publications order by published_at desc limit 1)
                   order by mart"""
            ).fetchall()
            live_tables = {f"{a}.{b}" for a, b in con.execute(
                "select table_schema, table_name from information_schema.tables").fetchall()}
        finally:
            con.close()
    if not rows:
        print("\n== 基础数据有效性: no validity run recorded (see the failed tasks above) ==")
    else:
        print("\n== 基础数据有效性 validity of basic data (target ≥ 90%) ==")
        for ds, cid, n, v, r, t, p in rows:
            mark = "✓ 达标 PASSED" if p else "✗ 未达标 FAILED"
            print(f"  {mark} {ds} ({cid}): {r:.1%} valid ({v}/{n}), target {t:.0%}")
    if not published:
        print("\n== 数据集市发布: nothing published (see the failed tasks above) ==")
    else:
        print("\n== 数据集市发布 marts published (write, audit, then publish) ==")
        for mart, action, live, blocked in published:
            if action == "published":
                print(f"  ✓ 已发布 published   {mart}")
            else:
                keep = ("the last published version stays" + (f" (run {live})" if live else "")
                        if mart in live_tables else "absent: no version has passed its gates yet")
                print(f"  ✗ 暂缓发布 held back {mart}: strong gate failed for {', '.join(blocked)}; {keep}")
    print(f"\nwarehouse: {s.warehouse} (published; build: {s.build_db})")
    print(f"BI:        {s.bi_db} (personal data masked; open read-only)")
    print(f"report:    {s.reports_dir / 'quality_latest.html'}")
    print(f"lake:      {s.lake_url}")


def leadership_reports(s: Settings) -> None:
    """The three leadership reports from the published warehouse, mailed when SMTP is configured, and the
    departments' correction lists mailed likewise (the scheduled report DAGs do the same each morning)."""
    from reports.delivery import deliver_corrections, deliver_report

    print("\n== 领导报告 leadership reports (HTML + PDF) ==", flush=True)
    for kind in ("daily", "weekly", "monthly"):
        out = deliver_report(kind, s)
        mailed = f"mailed to {', '.join(out['mailed_to'])}" if out["status"] == "mailed" else out["status"]
        print(f"  {out['title']}\n    {out['pdf']}\n    {out['html']}\n    ({mailed})", flush=True)
    lists = deliver_corrections(s=s)
    print(f"  问题数据清单 correction lists: {sum(d['status'] == 'mailed' for d in lists)} of {len(lists)} "
          f"departments mailed", flush=True)


def simulated_connections(contracts_dir: Path, sim_dir: Path, token: str, hostport: str) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` for every API department and front-end database of the simulated city: its API
    server at ``hostport``, and each database where the simulator wrote it (an embedded SQLite file unless
    $CITYLAKE_SIM_FRONTDB_URL named a server)."""
    from ingest.contracts import load_contracts
    from simulator.frontdb import resolve_url

    out = {}
    for c in load_contracts(contracts_dir):
        if c.delivery.kind == "api" and c.delivery.connection:
            out[f"AIRFLOW_CONN_{c.delivery.connection.upper()}"] = f"http://:{token}@{hostport}"
        elif c.delivery.kind == "db" and c.delivery.connection:
            out[f"AIRFLOW_CONN_{c.delivery.connection.upper()}"] = resolve_url(None, sim_dir, c.dept)
    return out


def run(persons: int, seed: int, regenerate: bool = False, as_of: dt.date | None = None) -> int:
    s = settings()
    as_of = ensure_sample_city(s, persons, seed, regenerate, as_of)
    env = airflow_env(s)

    from simulator.api_server import DepartmentApiServer

    token = secrets.token_hex(16)
    with DepartmentApiServer(s.sim_dir, token=token) as server:
        for name, url in simulated_connections(s.contracts_dir, s.sim_dir, token,
                                               server.base_url.split("://", 1)[1]).items():
            env.setdefault(name, url)  # a configured connection wins
        print("migrating Airflow metadata (SQLite) ...", flush=True)
        migrate_airflow(env)
        s.airflow_home.mkdir(parents=True, exist_ok=True)
        log_path = s.airflow_home / "last_dag_test.log"
        when = logical_date(as_of)
        print(f"running DAG {DAG_ID} (dag.test, logical date {when.isoformat()}) ... Airflow log: {log_path}",
              flush=True)
        state, tasks = run_dag(env, log_path, when)

    print(f"\n== DAG run: {state} ==")
    for task_id, st in tasks.items():
        print(f"  {task_id:<16} {st[0]}")
        for more in st[1:]:
            print(f"  {'':<16} {more}")
    summarise(s)
    def failed(states: list[str]) -> bool:
        return any(not x.endswith("success") for x in states)

    broken = {t: st for t, st in tasks.items() if t != GATE_TASK and failed(st)}
    if not broken:
        leadership_reports(s)
    if broken:
        print(f"\npipeline FAILED in: {json.dumps(broken)}", file=sys.stderr)
        return 1
    if failed(tasks.get(GATE_TASK, [])):
        print("\nquality gate: at least one basic dataset is below its target (shown above); "
              "the pipeline itself completed.")
    return 0
