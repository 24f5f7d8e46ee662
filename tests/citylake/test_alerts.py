"""The alert on a failed strong gate: a log line always, and mail through a real SMTP server when
``smtp_default`` is configured."""

from __future__ import annotations

import logging
import socket

import pytest

from citylake.alerts import alert_line, on_quality_gate_failure, raise_alert


def test_alert_line_names_the_dataset_and_says_marts_are_held_in_both_languages():
    line = alert_line("citylake_pipeline", "scheduled__2026-11-21", "流动人口 (gongan.liudong)", "84.1% < 90%")
    assert "流动人口 (gongan.liudong)" in line and "84.1% < 90%" in line and "scheduled__2026-11-21" in line
    assert "数据质量告警" in line and "QUALITY ALERT" in line and "held back" in line


def test_without_smtp_the_alert_is_logged_only(caplog, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    with caplog.at_level(logging.INFO, logger="citylake.alerts"):
        line = raise_alert("d", "r", "流动人口", "below target", env={})
    assert [r.message for r in caplog.records if r.levelno == logging.ERROR] == [line]


class _Callback:
    """What Airflow hands an on_failure_callback: the failed task instance and its exception."""

    class ti:
        dag_id, task_id, map_index, run_id = "citylake_pipeline", "quality_gate", 3, "manual__1"
        rendered_map_index = "流动人口 (gongan.liudong)"


@pytest.fixture
def smtp_server():
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = aiosmtpd.Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_with_smtp_default_the_alert_is_mailed(smtp_server, monkeypatch):
    port, received = smtp_server
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT",
                       f"smtp://127.0.0.1:{port}?from=citylake@yc.gov.cn&to=ops@yc.gov.cn")
    on_quality_gate_failure({"ti": _Callback.ti, "run_id": "manual__1",
                             "exception": RuntimeError("未达标 FAILED 流动人口 84.1% < 90%")})
    (mail,) = received
    assert mail["To"] == "ops@yc.gov.cn" and mail["From"] == "citylake@yc.gov.cn"
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "流动人口 (gongan.liudong)" in body and "84.1% < 90%" in body and "manual__1" in body


def test_a_mail_server_that_is_down_does_not_swallow_the_alert(caplog, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    env = {"AIRFLOW_CONN_SMTP_DEFAULT": f"smtp://127.0.0.1:{port}?to=ops@yc.gov.cn"}
    with caplog.at_level(logging.INFO, logger="citylake.alerts"):
        line = raise_alert("d", "r", "流动人口", "below target", env=env)
    errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
    assert errors[0] == line and "could not be mailed" in errors[1]
