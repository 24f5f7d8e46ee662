"""
### CityLake leadership reports by mail: 日报 · 周调度 · 月通报

Scheduled in Beijing time (Asia/Shanghai), each covering the period that ended the day before its run:

| DAG | when | covers |
| --- | --- | --- |
| `citylake_report_daily` | every day 07:30 | the day before (and mails each department its 问题数据清单) |
| `citylake_report_weekly` | Mondays 08:00 | the ISO week (Mon–Sun) that ended on Sunday |
| `citylake_report_monthly` | the 1st, 08:30 | the month that ended the day before |

1. **render** writes the report as HTML and PDF in Chinese from the published warehouse
   (`reports/out/<kind>/`), by `reports.leadership`.
2. **send** mails it — the summary in the body, the PDF and the HTML attached — to the report's recipients
   in `reports/recipients.yaml` (`$CITYLAKE_RECIPIENTS`), through Airflow's `smtp_default` connection.
   Retried on a mail-server failure without rendering again.
3. **send_correction_lists** (daily only) mails each department its own 问题数据清单 (xlsx + CSV) of the
   latest validity run; a department without an address in the recipients file is logged, not mailed.

Without an `smtp_default` connection nothing is mailed and the log says "not mailed: no smtp_default
connection": the reports are still written. A manual run may set the param `as_of` (YYYY-MM-DD) to
report another period. See `docs/delivery.md`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

SCHEDULES = {  # kind → (cron in Asia/Shanghai, DAG id)
    "daily": ("30 7 * * *", "citylake_report_daily"),
    "weekly": ("0 8 * * 1", "citylake_report_weekly"),
    "monthly": ("30 8 1 * *", "citylake_report_monthly"),
}


def _as_of() -> str | None:
    from reports.delivery import as_of_for_run

    ctx = get_current_context()
    day = as_of_for_run(ctx["params"].get("as_of"), ctx.get("logical_date") or ctx["dag_run"].run_after)
    return day.isoformat()


def report_dag(kind: str):
    cron, dag_id = SCHEDULES[kind]

    @dag(
        dag_id=dag_id,
        schedule=cron,
        start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
        catchup=False,
        max_active_runs=1,
        doc_md=__doc__,
        tags=["citylake", "reports"],
        params={"as_of": Param(None, type=["null", "string"], format="date",
                               description="report date YYYY-MM-DD (default: the day before the run)")},
        default_args={"retries": 1, "retry_delay": pendulum.duration(minutes=2)},
    )
    def report():
        @task
        def render() -> dict:
            import datetime as dt

            from reports.delivery import render_report

            return render_report(kind, as_of=dt.date.fromisoformat(_as_of()))

        # A mail server that is down for a while must not lose the morning's report.
        @task(retries=3, retry_delay=pendulum.duration(minutes=5))
        def send(rendered: dict) -> dict:
            from reports.delivery import mail_report

            return mail_report(rendered)

        send(render())

        if kind == "daily":
            @task(retries=3, retry_delay=pendulum.duration(minutes=5))
            def send_correction_lists() -> list[dict]:
                from reports.delivery import deliver_corrections

                return deliver_corrections()

            send_correction_lists()

    return report()


for _kind in SCHEDULES:
    report_dag(_kind)
