"""The report DAGs: their schedules in Beijing time, and one scheduled daily run through Airflow whose mail
reaches a real SMTP server with the PDF attached (and each configured department its correction list)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reports.smtp_server import running_smtp_server

ROOT = Path(__file__).resolve().parents[2]
DAG_FILE = ROOT / "dags" / "citylake_reports.py"
SHANGHAI = "Asia/Shanghai"


@pytest.fixture(scope="module")
def dags(tmp_path_factory):
    from tests.dags.dagbag import loaded_dagbag

    with loaded_dagbag(DAG_FILE, tmp_path_factory.mktemp("data")) as bag:
        assert bag.import_errors == {}
        yield bag.dags


def _next_runs(dag, after: dt.datetime, n: int) -> list[dt.datetime]:
    """The next ``n`` scheduled runs after ``after``, as the scheduler computes them from the timetable."""
    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    timetable = coerce_to_core_timetable(dag.timetable)
    restriction = TimeRestriction(earliest=pendulum.instance(after), latest=None, catchup=True)
    runs, last = [], None
    for _ in range(n):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        runs.append(info.run_after.in_timezone(SHANGHAI))
        last = info.data_interval
    return runs


@pytest.mark.parametrize("dag_id, cron, expected", [
    ("citylake_report_daily", "30 7 * * *", ["2026-11-22T07:30:00+08:00", "2026-11-23T07:30:00+08:00"]),
    ("citylake_report_weekly", "0 8 * * 1", ["2026-11-23T08:00:00+08:00", "2026-11-30T08:00:00+08:00"]),
    ("citylake_report_monthly", "30 8 1 * *", ["2026-12-01T08:30:00+08:00", "2027-01-01T08:30:00+08:00"]),
])
def test_reports_are_scheduled_in_beijing_time(dags, dag_id, cron, expected):
    dag = dags[dag_id]
    assert dag.timetable.expression == cron and SHANGHAI in str(dag.timetable.timezone)
    assert dag.catchup is False and "Asia/Shanghai" in dag.doc_md and dag_id in dag.doc_md
    # Saturday 2026-11-21 08:00 in Beijing: the next runs, in Beijing time.
    after = dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.timezone.utc)
    assert [r.isoformat() for r in _next_runs(dag, after, 2)] == expected
    # 07:30 in Beijing is 23:30 UTC the day before: the timezone is applied, not assumed.
    if dag_id == "citylake_report_daily":
        assert _next_runs(dag, after, 1)[0].in_timezone("UTC").isoformat() == "2026-11-21T23:30:00+00:00"


def test_each_dag_renders_then_sends_with_retries_for_mail(dags):
    for dag_id in ("citylake_report_daily", "citylake_report_weekly", "citylake_report_monthly"):
        t = dags[dag_id].task_dict
        assert t["send"].upstream_task_ids == {"render"}
        assert t["send"].retries >= 2 and t["render"].retries <= 1
    daily = dags["citylake_report_daily"].task_dict
    assert set(daily) == {"render", "send", "send_correction_lists"} and daily["send_correction_lists"].retries >= 2
    assert "send_correction_lists" not in dags["citylake_report_weekly"].task_dict


# One run of the daily DAG as the scheduler would start it, in a child process (Airflow's logging and the
# tasks' DuckDB handles stay out of pytest), against aiosmtpd in this process.
RUN = """
import json, sys
import pendulum
from airflow.dag_processing.dagbag import DagBag
from airflow.utils.db import upgradedb

upgradedb()  # what `airflow db migrate` does, without paying for a second Airflow start-up

bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
dr = bag.dags["citylake_report_daily"].test(logical_date=pendulum.parse(sys.argv[2]))
print("STATES " + json.dumps({ti.task_id: str(ti.state) for ti in dr.get_task_instances()}))
"""


def test_a_scheduled_daily_run_mails_the_report_with_its_pdf_and_the_correction_lists(tmp_path):
    import duckdb

    from citylake.airflow_env import airflow_env
    from tests.published_city import copy_published

    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(
        "reports:\n"
        "  daily:\n"
        "    to: [市委政法委领导 <leaders@yc.example.gov.cn>]\n"
        "    cc: [shuju-office@yc.example.gov.cn]\n"
        "departments:\n"
        "  gongan: data@gongan.yc.example.gov.cn\n"
        "  zhujian: data@zhujian.yc.example.gov.cn\n", encoding="utf-8")
    s = replace(copy_published(tmp_path / "city"), data_dir=tmp_path / "data", recipients_file=recipients)
    con = duckdb.connect(str(s.warehouse), read_only=True)
    validated = con.execute(f"select max(run_at) at time zone '{SHANGHAI}' from quality.validity_runs").fetchone()[0]
    con.close()
    # The morning after the pipeline's validity run: the daily brief reports that day.
    day = validated.date()
    logical = f"{day + dt.timedelta(days=1)}T07:30:00+08:00"

    with running_smtp_server() as srv:
        env = {**os.environ, **airflow_env(s),
               "AIRFLOW_CONN_SMTP_DEFAULT": srv.uri(**{"from": "citylake@yc.example.gov.cn"})}
        proc = subprocess.run([sys.executable, "-c", RUN, str(DAG_FILE), logical], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
        got = srv.wait_for(3, timeout=5)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    states = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("STATES "))[7:])
    assert states == {"render": "success", "send": "success", "send_correction_lists": "success"}, out[-6000:]

    by_rcpt = {r.rcpt_tos: r for r in got}
    assert set(by_rcpt) == {("leaders@yc.example.gov.cn", "shuju-office@yc.example.gov.cn"),
                            ("data@gongan.yc.example.gov.cn",), ("data@zhujian.yc.example.gov.cn",)}, by_rcpt.keys()
    report = by_rcpt[("leaders@yc.example.gov.cn", "shuju-office@yc.example.gov.cn")].message
    assert report["Subject"] == f"【宜春市社会治理】数据日报 {day.year}年{day.month}月{day.day}日"
    pdf_path = s.reports_dir / "daily" / f"daily_{day.isoformat()}.pdf"
    (pdf,) = [a for a in report.iter_attachments() if a.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"宜春市社会治理数据日报_{day.year}年{day.month}月{day.day}日.pdf"
    assert pdf.get_content() == pdf_path.read_bytes() and len(pdf.get_content()) > 10_000
    assert report.get_body(("plain",)).get_content().strip()
    # Every other department is left out of the test recipients file: logged, not mailed.
    assert "(shuju): correction list not mailed: no address in" in out
    gongan = by_rcpt[("data@gongan.yc.example.gov.cn",)].message
    assert "公安局问题数据清单" in gongan["Subject"]
    assert {a.get_filename() for a in gongan.iter_attachments()} == {
        "gongan_公安局_问题数据清单.xlsx", "gongan_公安局_问题数据清单.csv"}
