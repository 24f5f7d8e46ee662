"""The `citylake` command."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path


def _today() -> dt.date:
    from citylake.runner import today

    return today()


def cmd_simulate(a: argparse.Namespace) -> int:
    from citylake.config import settings
    from simulator.city import simulate

    as_of = dt.date.fromisoformat(a.as_of) if a.as_of else _today()
    out = Path(a.out) if a.out else settings().data_dir
    summary = simulate(out, persons=a.persons, seed=a.seed, as_of=as_of, days=a.days,
                       frontdb_url=a.frontdb_url)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_contracts(a: argparse.Namespace) -> int:
    from citylake.config import settings
    from ingest.contracts import check_contract_file

    s = settings()
    if a.action == "check":
        problems = [p for f in sorted(s.contracts_dir.glob("*/*.yaml")) for p in check_contract_file(f)]
        for p in problems:
            print(p, file=sys.stderr)
        n = len(list(s.contracts_dir.glob("*/*.yaml")))
        print(f"{n} contracts checked, {len(problems)} problems")
        return 1 if problems else 0
    if a.action == "catalogue":
        from citylake.catalogue import simulated_defects, write_catalogue
        from ingest.contracts import load_contracts

        print(write_catalogue(load_contracts(s.contracts_dir, include_inactive=True), s.home / "docs" / "sources.md",
                              simulated_defects()))
        return 0
    if a.action == "dbt-staging":
        from citylake.staging import STAGING_DIR, write_staging
        from ingest.contracts import load_contracts

        for path in write_staging(load_contracts(s.contracts_dir), s.dbt_project_dir / STAGING_DIR):
            print(path)
        return 0
    from citylake.dbt import write_sources

    print(write_sources(s))
    return 0


def describe_ingest(summary: dict) -> list[str]:
    """One line per delivery of a feed's ingest summary: a skipped re-delivery says so instead of an
    accounting of nothing; then the feed's totals."""
    lines = []
    for r in summary["loads"]:
        if r["status"] == "skipped":
            lines.append(f"  {r['source']}: skipped, {r['message'] or 'already loaded'}")
        elif r["status"] == "held":
            lines.append(f"  {r['source']}: HELD (kept aside, not the current data): {r['message']}")
        else:
            lines.append(f"  {r['source']}: {r['status']}, read {r['rows_read']} = written {r['rows_written']}"
                         f" + quarantined {r['rows_quarantined']}" + (f" ({r['message']})" if r["message"] else ""))
    if not summary["loads"]:
        return [f"{summary['contract_id']}: no delivery"]
    return [f"{summary['contract_id']}: read {summary['rows_read']} = written {summary['rows_written']}"
            f" + quarantined {summary['rows_quarantined']}"] + lines


def cmd_ingest(a: argparse.Namespace) -> int:
    from citylake import pipeline

    ids = a.feed or pipeline.feed_ids()
    unknown = [cid for cid in a.feed or [] if pipeline.contract(cid) is None]
    if unknown:
        known = pipeline.feed_ids()
        print(f"unknown feed {', '.join(unknown)}: the feeds are the contracts' ids, e.g. "
              f"{', '.join(sorted(known)[:3])} (citylake contracts check lists them)", file=sys.stderr)
        return 2
    failed = 0
    for cid in ids:
        try:
            print("\n".join(describe_ingest(pipeline.ingest(cid))))
        except Exception as exc:  # report every feed, then fail
            failed += 1
            print(f"{cid}: FAILED: {exc}", file=sys.stderr)
    return 1 if failed else 0


def cmd_build(a: argparse.Namespace) -> int:
    from citylake import pipeline

    pipeline.build_warehouse()
    return 0


def cmd_validate(a: argparse.Namespace) -> int:
    from citylake import pipeline

    pipeline.validate(a.run_id or f"manual__{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}")
    return 0


def cmd_publish(a: argparse.Namespace) -> int:
    """Publish by hand what `citylake build` and `citylake validate` wrote into the build database."""
    import duckdb

    from citylake import pipeline
    from citylake.config import settings

    s = settings()
    con = duckdb.connect(str(s.build_db), read_only=True)
    try:
        run_id = a.run_id or con.execute(
            "select run_id from quality.validity_runs order by run_at desc limit 1").fetchone()[0]
        cols = ["contract_id", "gate", "passed"]
        results = [dict(zip(cols, row)) for row in con.execute(
            f"select {', '.join(cols)} from quality.validity_runs where run_id = ?", [run_id]).fetchall()]
    finally:
        con.close()
    if not results:
        print(f"no validity run {run_id!r} in {s.build_db}: run `citylake validate` first", file=sys.stderr)
        return 1
    print(json.dumps(pipeline.publish(results, run_id=run_id), ensure_ascii=False, indent=2, default=str))
    return 0


def _report_kinds(a: argparse.Namespace) -> tuple[tuple[str, ...], dt.date | None]:
    """The leadership reports asked for (``--kind``, ``all`` for the three) and their ``--as-of`` day."""
    kinds = ("daily", "weekly", "monthly") if a.kind == "all" else (a.kind,)
    return kinds, dt.date.fromisoformat(a.as_of) if a.as_of else None


def cmd_report(a: argparse.Namespace) -> int:
    from citylake import pipeline

    if a.kind == "quality":
        print(pipeline.report(a.run_id))
        return 0
    from reports.delivery import render_report

    kinds, as_of = _report_kinds(a)
    for kind in kinds:
        files = render_report(kind, as_of=as_of)
        print(f"{files['title']}\n  {files['html']}\n  {files['pdf']}")
    return 0


def cmd_mail(a: argparse.Namespace) -> int:
    from reports.delivery import deliver_corrections, deliver_report

    if a.what == "corrections":
        sent = deliver_corrections(a.run_id)
        print(f"{sum(d['status'] == 'mailed' for d in sent)} of {len(sent)} departments' correction lists mailed")
        return 0
    kinds, as_of = _report_kinds(a)
    for kind in kinds:
        out = deliver_report(kind, as_of=as_of)
        print(f"{out['title']}: {out['status']} {', '.join(out['mailed_to'])}")
    return 0


def cmd_bi(a: argparse.Namespace) -> int:
    from citylake.bi import publish_bi, summary_text
    from citylake.config import settings

    print(summary_text(publish_bi(settings(), a.run_id)))
    return 0


def cmd_corrections(a: argparse.Namespace) -> int:
    from citylake import pipeline

    pipeline.correction_lists(a.run_id)
    return 0


def cmd_serve_departments(a: argparse.Namespace) -> int:
    from citylake.config import settings
    from simulator.api_server import DepartmentApiServer

    s = settings()
    with DepartmentApiServer(s.sim_dir, token=a.token, port=a.port) as srv:
        host_port = srv.base_url.split("://", 1)[1]
        print(f"serving the simulated API departments at {srv.base_url}")
        print(f"export AIRFLOW_CONN_SHUJU_12345='http://:{a.token}@{host_port}'", flush=True)
        try:
            import time

            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def cmd_run(a: argparse.Namespace) -> int:
    from citylake.runner import run

    return run(persons=a.persons, seed=a.seed, regenerate=a.regenerate,
               as_of=dt.date.fromisoformat(a.as_of) if a.as_of else None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="citylake", description="CityLake: the city's governance data lake")
    sub = p.add_subparsers(dest="cmd", required=True)

    sp = sub.add_parser("simulate", help="generate a simulated city's department feeds and ground truth")
    sp.add_argument("--persons", type=int, default=10_000)
    sp.add_argument("--seed", type=int, default=20261121)
    sp.add_argument("--out", default=None,
                    help="data folder: landing/ and sim/ are written under it (default: the configured data "
                         "folder, $CITYLAKE_DATA_DIR or ./data)")
    sp.add_argument("--as-of", help="the simulated 'today' (YYYY-MM-DD, default today in Asia/Shanghai)")
    sp.add_argument("--days", type=int, default=0, help="daily deltas after the full load (one delivery per day)")
    sp.add_argument("--frontdb-url", help="write the front-end databases (卫健) to this SQLAlchemy URL instead of "
                                          "the embedded SQLite files (also CITYLAKE_SIM_FRONTDB_URL)")
    sp.set_defaults(fn=cmd_simulate)

    sp = sub.add_parser("contracts", help="check the feed contracts, or regenerate from them the dbt sources, "
                                          "the staging models or the catalogue page")
    sp.add_argument("action", choices=["check", "dbt-sources", "dbt-staging", "catalogue"])
    sp.set_defaults(fn=cmd_contracts)

    sp = sub.add_parser("ingest", help="land new deliveries in the lake (all feeds, or --feed ID ...)")
    sp.add_argument("--feed", action="append", help="contract id, e.g. gongan.hukou (repeatable)")
    sp.set_defaults(fn=cmd_ingest)

    sp = sub.add_parser("build", help="dbt build of the warehouse")
    sp.set_defaults(fn=cmd_build)

    sp = sub.add_parser("validate", help="run the validity suites and record the results")
    sp.add_argument("--run-id")
    sp.set_defaults(fn=cmd_validate)

    sp = sub.add_parser("publish", help="publish the build database's marts whose feeds passed their strong "
                                        "gates (write, audit, then publish), for the latest (or given) run")
    sp.add_argument("--run-id")
    sp.set_defaults(fn=cmd_publish)

    sp = sub.add_parser("report", help="render the quality report of the latest (or given) run, or the "
                                       "leadership reports (日报/周调度/月通报, HTML + PDF)")
    sp.add_argument("--kind", choices=["quality", "daily", "weekly", "monthly", "all"], default="quality",
                    help="quality (default): the data-quality page; all: the three leadership reports")
    sp.add_argument("--run-id", help="(quality) the validity run")
    sp.add_argument("--as-of", help="(leadership reports) the day the period is counted to, YYYY-MM-DD")
    sp.set_defaults(fn=cmd_report)

    sp = sub.add_parser("mail", help="render and mail a leadership report, or mail every department its "
                                     "correction list, through the smtp_default connection")
    sp.add_argument("what", choices=["report", "corrections"])
    sp.add_argument("--kind", choices=["daily", "weekly", "monthly", "all"], default="daily")
    sp.add_argument("--as-of")
    sp.add_argument("--run-id", help="(corrections) the validity run; default: the latest")
    sp.set_defaults(fn=cmd_mail)

    sp = sub.add_parser("bi", help="publish the PII-masked BI database (bi.duckdb) from the published warehouse")
    sp.add_argument("--run-id", help="the publication run to require; default: the latest")
    sp.set_defaults(fn=cmd_bi)

    sp = sub.add_parser("corrections", help="write each department's correction list (问题数据清单, xlsx + CSV) "
                                            "of the latest (or given) validity run")
    sp.add_argument("--run-id")
    sp.set_defaults(fn=cmd_corrections)

    sp = sub.add_parser("serve-departments", help="serve the simulated API departments (for ingest by hand)")
    sp.add_argument("--port", type=int, default=8600)
    sp.add_argument("--token", default="sample-token")
    sp.set_defaults(fn=cmd_serve_departments)

    sp = sub.add_parser("run", help="the whole pipeline on the sample city through Airflow (what `make run` does)")
    sp.add_argument("--persons", type=int, default=10_000)
    sp.add_argument("--seed", type=int, default=20261121)
    sp.add_argument("--regenerate", action="store_true", help="simulate the city again even if present")
    sp.add_argument("--as-of", help="the sample city's 'today' (YYYY-MM-DD; default: the present city's, or "
                                    "today in Asia/Shanghai for a new one); the DAG runs on that day's 04:00")
    sp.set_defaults(fn=cmd_run)

    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
