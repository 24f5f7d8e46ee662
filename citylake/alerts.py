"""Alerts on a failed strong quality gate: one clear log line, in Chinese and English, and mail when an SMTP
connection (``smtp_default``) is configured.

The DAG's ``quality_gate`` task calls :func:`on_quality_gate_failure` as its ``on_failure_callback``. Mail is
the hook point scheduled reports (issue 7) build on; here it sends the same line as plain text.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from citylake.config import Smtp, smtp

log = logging.getLogger(__name__)

SMTP_CONN_ID = "smtp_default"


def alert_line(dag_id: str, run_id: str, dataset: str, reason: str) -> str:
    return (f"【数据质量告警 QUALITY ALERT】{dataset}: 强门禁未达标，依赖的数据集市暂缓发布 "
            f"strong quality gate failed, dependent marts held back — {reason} [DAG {dag_id}, run {run_id}]")


def send_mail(server: Smtp, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = server.sender
    msg["To"] = ", ".join(server.recipients)
    msg.set_content(body)
    cls = smtplib.SMTP_SSL if server.ssl else smtplib.SMTP
    with cls(server.host, server.port, timeout=30) as client:
        if server.starttls:
            client.starttls()
        if server.login:
            client.login(server.login, server.password or "")
        client.send_message(msg)


def raise_alert(dag_id: str, run_id: str, dataset: str, reason: str, env: dict[str, str] | None = None) -> str:
    """Log the alert; mail it when ``smtp_default`` is configured with recipients. Returns the line."""
    line = alert_line(dag_id, run_id, dataset, reason)
    log.error(line)
    print(line, flush=True)  # the task log shows stdout whatever the logging set-up
    server = smtp(SMTP_CONN_ID, env)
    if server is None:
        log.info("no %s connection: alert logged only", SMTP_CONN_ID)
    elif not server.recipients:
        log.warning("%s has no recipients (extra 'to'): alert not mailed", SMTP_CONN_ID)
    else:
        try:
            send_mail(server, f"[CityLake] 数据质量告警 quality gate failed: {dataset}", line)
            log.info("alert mailed to %s", ", ".join(server.recipients))
        except (OSError, smtplib.SMTPException) as exc:
            # A mail server being down must not hide the alert that is already in the log.
            log.error("alert could not be mailed through %s:%s: %s", server.host, server.port, exc)
    return line


def on_quality_gate_failure(context: Any) -> None:
    """``on_failure_callback`` of the mapped ``quality_gate`` task."""
    ti = context["ti"]
    dataset = getattr(ti, "rendered_map_index", None) or f"{ti.task_id}[{getattr(ti, 'map_index', -1)}]"
    exc = context.get("exception")
    raise_alert(ti.dag_id, context.get("run_id") or getattr(ti, "run_id", "?"), str(dataset),
                str(exc) if exc is not None else "task failed")
