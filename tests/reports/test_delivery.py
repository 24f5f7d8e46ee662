"""Mail delivery through a real SMTP server (aiosmtpd on loopback): the leaders' report and the departments'
correction lists are sent, read back byte for byte, and every configuration mistake is named."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import replace
from pathlib import Path

import pytest

from citylake.config import smtp
from reports.delivery import (
    DeliveryError, RecipientsError, ReportFiles, correction_message, deliver_corrections, load_recipients,
    mail_report, period_label, report_day, report_message, rule_counts, send,
)
from tests.reports.smtp_server import running_smtp_server, smtp_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
SENDER = "citylake@yc.example.gov.cn"
SUMMARY = "昨日全市受理事件 128 件，办结 97 件，超期 3 件。\n基础数据有效率 93.4%，公安局流动人口 88.1% 未达标。"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> ReportFiles:
    """A small real report: an HTML page and the PDF WeasyPrint makes of it."""
    from weasyprint import HTML

    d = tmp_path_factory.mktemp("report")
    page = d / "daily_2026-11-21.html"
    page.write_text('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><h1>宜春市社会治理数据日报</h1>'
                    f"<p>{SUMMARY}</p></body></html>", encoding="utf-8")
    HTML(filename=str(page)).write_pdf(d / "daily_2026-11-21.pdf")
    return ReportFiles("daily", "宜春市社会治理数据日报", dt.date(2026, 11, 21), dt.date(2026, 11, 21),
                       page, d / "daily_2026-11-21.pdf", SUMMARY)


def _server(port: int, **extra) -> object:
    query = "&".join(f"{k}={v}" for k, v in {"from": SENDER, **extra}.items())
    return smtp(env={"AIRFLOW_CONN_SMTP_DEFAULT": f"smtp://127.0.0.1:{port}?{query}"})


def test_the_report_reaches_the_server_with_its_pdf_and_chinese_subject(report, smtp_server):  # noqa: F811
    msg = report_message(report, SENDER, ["市委政法委领导 <leaders@yc.example.gov.cn>", "office@yc.example.gov.cn"],
                         ["数据局 <shuju@yc.example.gov.cn>"])
    (sent,) = send([msg], _server(smtp_server.port))
    assert sent.refused == {}
    (got,) = smtp_server.wait_for(1)
    assert sorted(got.rcpt_tos) == ["leaders@yc.example.gov.cn", "office@yc.example.gov.cn", "shuju@yc.example.gov.cn"]
    assert got.mail_from == SENDER
    m = got.message
    assert m["Subject"] == "【宜春市社会治理】数据日报 2026年11月21日"
    assert b"Subject: =?utf-8?" in got.raw  # encoded on the wire, decoded on reading
    assert [(a.display_name, a.addr_spec) for a in m["To"].addresses] == [
        ("市委政法委领导", "leaders@yc.example.gov.cn"), ("", "office@yc.example.gov.cn")]
    assert [a.addr_spec for a in m["Cc"].addresses] == ["shuju@yc.example.gov.cn"]
    assert m["From"].addresses[0].addr_spec == SENDER and m["Auto-Submitted"] == "auto-generated"
    text = m.get_body(("plain",)).get_content()
    assert "超期 3 件" in text and "88.1% 未达标" in text and "报告期：2026年11月21日" in text
    assert "<p>基础数据有效率 93.4%，公安局流动人口 88.1% 未达标。</p>" in m.get_body(("html",)).get_content()
    attachments = {a.get_filename(): a for a in m.iter_attachments()}
    assert set(attachments) == {"宜春市社会治理数据日报_2026年11月21日.pdf", "宜春市社会治理数据日报_2026年11月21日.html"}
    pdf = attachments["宜春市社会治理数据日报_2026年11月21日.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == report.pdf.read_bytes() and pdf.get_content().startswith(b"%PDF-")
    page = attachments["宜春市社会治理数据日报_2026年11月21日.html"]
    assert page.get_content_type() == "text/html" and page.get_content() == report.html.read_text(encoding="utf-8")
    assert b"filename*0*=utf-8''" in got.raw  # RFC 2231: the Chinese file name survives any mail gateway


def test_period_labels_and_the_day_a_scheduled_run_reports():
    assert period_label(dt.date(2026, 11, 16), dt.date(2026, 11, 22)) == "2026年11月16日至11月22日"
    assert period_label(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == "2026年11月"
    assert period_label(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == "2026年12月28日至2027年1月3日"
    # 07:30 Beijing time is still the previous day in UTC: the run's date is taken in Beijing time.
    run = dt.datetime(2026, 11, 21, 23, 30, tzinfo=dt.timezone.utc)  # 2026-11-22 07:30 +08:00
    assert report_day(run) == dt.date(2026, 11, 21)


def _lists(tmp_path: Path, rows: list[tuple]) -> dict:
    """A department's list files as reports.corrections writes them (its header, BOM CSV, xlsx)."""
    import csv

    from openpyxl import Workbook

    from reports.corrections import HEADER

    stem = tmp_path / "gongan_公安局_问题数据清单"
    with open(f"{stem}.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    wb = Workbook()
    wb.active.append(list(HEADER))
    for r in rows:
        wb.active.append(list(r))
    wb.save(f"{stem}.xlsx")
    return {"dept": "gongan", "department": "公安局", "datasets": 2, "records": 2, "rows": len(rows),
            "xlsx": f"{stem}.xlsx", "csv": f"{stem}.csv"}


ROWS = [
    ("流动人口", "gongan.liudong", "liudong_20261121.csv", "", 7, "公民身份号码", "36092219850101123X",
     "公民身份号码校验位正确", "准确性", "错误", "r1"),
    ("流动人口", "gongan.liudong", "liudong_20261121.csv", "", 9, "公民身份号码", "3609221985",
     "公民身份号码校验位正确", "准确性", "错误", "r2"),
    ("流动人口", "gongan.liudong", "liudong_20261121.csv", "", 9, "联系电话", "1380000", "手机号码格式正确",
     "规范性", "错误", "r2"),
]


def test_a_correction_list_mail_says_how_many_records_and_which_rules(tmp_path, smtp_server):  # noqa: F811
    d = _lists(tmp_path, ROWS)
    assert [(c.rule, c.rows) for c in rule_counts(Path(d["csv"]))] == [("公民身份号码校验位正确", 2), ("手机号码格式正确", 1)]
    run_at = dt.datetime(2026, 11, 21, 20, 44, tzinfo=dt.timezone.utc)
    msg = correction_message(d, SENDER, ["公安局数据管理员 <data@gongan.yc.example.gov.cn>"],
                             run_id="scheduled__2026-11-22T04:00:00+08:00", run_at=run_at)
    send([msg], _server(smtp_server.port))
    (got,) = smtp_server.wait_for(1)
    assert got.rcpt_tos == ("data@gongan.yc.example.gov.cn",)
    m = got.message
    assert m["Subject"] == "【宜春市社会治理】公安局问题数据清单 2026年11月22日"  # the run's day in Beijing time
    body = m.get_body(("plain",)).get_content()
    assert "2026年11月22日 04:44（北京时间）" in body and "共有 2 条记录未通过校验（3 条问题）" in body
    assert "流动人口 — 公民身份号码：公民身份号码校验位正确，2 条" in body
    assert "流动人口 — 联系电话：手机号码格式正确，1 条" in body
    files = {a.get_filename(): a for a in m.iter_attachments()}
    assert set(files) == {"gongan_公安局_问题数据清单.xlsx", "gongan_公安局_问题数据清单.csv"}
    assert files["gongan_公安局_问题数据清单.xlsx"].get_content() == Path(d["xlsx"]).read_bytes()
    assert files["gongan_公安局_问题数据清单.csv"].get_content_type() == "text/csv"
    assert files["gongan_公安局_问题数据清单.csv"].get_payload(decode=True) == Path(d["csv"]).read_bytes()


def test_a_list_too_big_to_mail_is_named_not_attached(tmp_path):
    d = _lists(tmp_path, ROWS)
    xlsx = Path(d["xlsx"]).stat().st_size
    msg = correction_message(d, SENDER, ["data@gongan.yc.example.gov.cn"], run_id="r", max_attachments=xlsx + 10)
    assert [a.get_filename() for a in msg.iter_attachments()] == ["gongan_公安局_问题数据清单.xlsx"]
    assert d["csv"] in msg.get_body(("plain",)).get_content()
    msg = correction_message(d, SENDER, ["data@gongan.yc.example.gov.cn"], run_id="r", max_attachments=10)
    assert list(msg.iter_attachments()) == []


def test_the_default_recipients_file_routes_every_report_and_department():
    from ingest.contracts import load_contracts

    depts = {c.dept for c in load_contracts(ROOT / "contracts")}
    r = load_recipients(ROOT / "reports" / "recipients.yaml", depts)
    assert set(r.reports) == {"daily", "weekly", "monthly"}
    assert set(r.departments) == depts
    every = [a for route in [*r.reports.values(), *r.departments.values()] for a in route.addresses]
    assert every and all(a.endswith("yc.example.gov.cn") for a in every)  # fictional, never a real inbox
    assert r.departments["gongan"].to[0].display_name == "公安局数据管理员"


@pytest.mark.parametrize("text, names", [
    ("reports:\n  daily:\n    to: [leaders@yc.example.gov.cn, not-an-address]\n", "reports.daily.to[1]"),
    ("reports:\n  daily:\n    cc: [a@yc.example.gov.cn]\n", "reports.daily: missing 'to'"),
    ("reports:\n  dayly:\n    to: a@yc.example.gov.cn\n", "reports.dayly: unknown report kind"),
    ("reports:\n  daily:\n    to: a@yc.example.gov.cn\n    bcc: b@yc.example.gov.cn\n",
     "reports.daily: unknown key(s) bcc"),
    ("departments:\n  gongann: data@gongan.yc.example.gov.cn\n", "departments.gongann: no such department"),
    ("departments:\n  gongan: []\n", "departments.gongan: expected an address"),
    ("recipients: {}\n", "unknown key(s) recipients"),
    ("- a@yc.example.gov.cn\n", "expected a mapping"),
    ("reports: [\n", "not valid YAML"),
])
def test_a_bad_recipients_file_is_named_with_its_key(tmp_path, text, names):
    path = tmp_path / "recipients.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecipientsError) as err:
        load_recipients(path, ["gongan", "shuju"])
    assert str(path) in str(err.value) and names in str(err.value)


def test_a_missing_recipients_file_is_an_error(tmp_path):
    with pytest.raises(RecipientsError, match="no such recipients file"):
        load_recipients(tmp_path / "nope.yaml")


@pytest.fixture(scope="module")
def airflow_logging():
    """Asking Airflow for a connection configures its logging, which replaces the root handlers (pytest's
    capture among them): let that happen before a test captures the log."""
    assert smtp(env={}) is None  # nothing configured: no mail server, and no error


def test_without_smtp_the_report_is_not_mailed_and_the_log_says_so(report, tmp_path, caplog, monkeypatch,
                                                                    airflow_logging):
    from citylake.config import settings

    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    s = settings({"CITYLAKE_HOME": str(ROOT), "CITYLAKE_DATA_DIR": str(tmp_path)})
    with caplog.at_level(logging.INFO, logger="reports.delivery"):
        out = mail_report(report.to_json(), s, env={})
    assert out["status"] == "not_mailed" and out["mailed_to"] == [] and out["pdf"] == str(report.pdf)
    assert any("not mailed: no smtp_default connection" in r.message for r in caplog.records)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_login_is_used_when_the_connection_has_one(report):
    from aiosmtpd.smtp import AuthResult

    def check(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"citylake", b"s3cret")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    with running_smtp_server(authenticator=check, auth_required=True, auth_require_tls=False) as srv:
        msg = report_message(report, SENDER, ["leaders@yc.example.gov.cn"])
        good = smtp(env={"AIRFLOW_CONN_SMTP_DEFAULT": f"smtp://citylake:s3cret@127.0.0.1:{srv.port}?from={SENDER}"})
        send([msg], good)
        assert len(srv.wait_for(1)) == 1
        with pytest.raises(smtplib.SMTPAuthenticationError):
            send([msg], replace(good, password="wrong"))
        (anonymous,) = send([msg], replace(good, login=None))  # no login: the server wants one
        assert anonymous.accepted == () and anonymous.refused["*"].startswith("530")
        assert len(srv.snapshot()) == 1


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The shared city's warehouse (read-only) with a private output folder: nothing is written into it."""
    from tests.published_city import published_city

    return replace(published_city(), reports_dir=tmp_path_factory.mktemp("city") / "reports")


def test_corrections_of_the_published_city_reach_their_departments_and_a_missing_one_is_logged(
        city, tmp_path, caplog, airflow_logging):
    """The real lists of the shared city's validity run: one department's address is refused by the server,
    one department has no address; the others receive theirs over one connection."""
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(
        "departments:\n"
        "  gongan: 公安局数据管理员 <data@gongan.yc.example.gov.cn>\n"
        "  zhujian: [data@zhujian.yc.example.gov.cn, fangguan@zhujian.yc.example.gov.cn]\n"
        "  minzheng: nobody@minzheng.yc.example.gov.cn\n", encoding="utf-8")
    s = replace(city, recipients_file=recipients)
    with running_smtp_server(refuse=("nobody@minzheng.yc.example.gov.cn",)) as srv, \
            caplog.at_level(logging.INFO, logger="reports.delivery"):
        out = deliver_corrections(s=s, env={"AIRFLOW_CONN_SMTP_DEFAULT": srv.uri(**{"from": SENDER})})
        got = srv.wait_for(2)
    by_dept = {e["dept"]: e for e in out}
    assert by_dept["gongan"]["status"] == "mailed" and by_dept["gongan"]["records"] > 0
    assert by_dept["zhujian"]["mailed_to"] == ["data@zhujian.yc.example.gov.cn", "fangguan@zhujian.yc.example.gov.cn"]
    assert by_dept["minzheng"]["status"] == "refused"
    assert by_dept["minzheng"]["refused"]["nobody@minzheng.yc.example.gov.cn"].startswith("550")
    assert by_dept["shuju"]["status"] == "no_recipients"
    assert any("政务服务数据管理局 (shuju): correction list not mailed: no address in" in r.message for r in caplog.records)
    assert len(got) == 2
    mails = {r.rcpt_tos[0]: r.message for r in got}
    gongan = mails["data@gongan.yc.example.gov.cn"]
    assert gongan["Subject"].startswith("【宜春市社会治理】公安局问题数据清单")
    assert f"共有 {by_dept['gongan']['records']} 条记录未通过校验" in gongan.get_body(("plain",)).get_content()
    xlsx = next(a for a in gongan.iter_attachments() if a.get_filename().endswith(".xlsx"))
    assert xlsx.get_content() == Path(by_dept["gongan"]["xlsx"]).read_bytes()
    assert Path(by_dept["gongan"]["xlsx"]).is_relative_to(city.reports_dir)
    # A second delivery reuses the lists already written for the run instead of writing them again.
    mtime = Path(by_dept["gongan"]["csv"]).stat().st_mtime_ns
    assert deliver_corrections(s=s, env={})[0]["status"] in ("not_mailed", "no_recipients")
    assert Path(by_dept["gongan"]["csv"]).stat().st_mtime_ns == mtime


def test_a_message_nobody_receives_fails_the_delivery(city, tmp_path):
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text("departments:\n  gongan: nobody@gongan.yc.example.gov.cn\n", encoding="utf-8")
    s = replace(city, recipients_file=recipients)
    with running_smtp_server(refuse=("nobody@gongan.yc.example.gov.cn",)) as srv:
        with pytest.raises(DeliveryError, match="no correction list"):
            deliver_corrections(s=s, env={"AIRFLOW_CONN_SMTP_DEFAULT": srv.uri()})
