"""Mail delivery: the leadership reports to their recipients, and each department its 问题数据清单.

Pure parts build messages (:func:`report_message`, :func:`correction_message`) and read the recipients file
(:func:`load_recipients`); :func:`send` speaks SMTP to the server of Airflow's ``smtp_default`` connection
(resolved by :func:`citylake.config.smtp`), one connection for a whole batch. The stage functions the DAG
tasks and the command line call are :func:`render_report` + :func:`mail_report` (= :func:`deliver_report`)
and :func:`deliver_corrections`.

No mail server configured is the normal case on a developer's machine (``make run``): the files are still
written, and the log says "not mailed: no smtp_default connection". A recipient the server refuses is
logged and reported; a stage raises only when a message reached no one at all, so a retry never re-mails
the departments that did receive their list.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import html
import json
import logging
import re
import smtplib
import ssl
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from citylake.config import Settings, Smtp

log = logging.getLogger(__name__)

SMTP_CONN_ID = "smtp_default"
TZ = ZoneInfo("Asia/Shanghai")
CITY = "宜春市社会治理"
KINDS = ("daily", "weekly", "monthly")
KIND_ZH = {"daily": "数据日报", "weekly": "数据周调度", "monthly": "数据月通报"}
# Most mail servers refuse a message above 20–50 MB, and base64 makes attachments a third larger: a
# department's list over this is not attached, the body says where it is on the data centre's server instead.
MAX_ATTACHMENTS_BYTES = 15 * 1024 * 1024
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_ADDR = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]+$")


class RecipientsError(ValueError):
    """The recipients file is missing or malformed (the message names the file and the key)."""


class DeliveryError(RuntimeError):
    """A message reached none of its recipients."""


# ---------------------------------------------------------------------------------------------- recipients

@dataclass(frozen=True)
class Route:
    """Who one message goes to."""

    to: tuple[Address, ...]
    cc: tuple[Address, ...] = ()

    @property
    def addresses(self) -> list[str]:
        return [a.addr_spec for a in (*self.to, *self.cc)]


@dataclass(frozen=True)
class Recipients:
    source: Path
    reports: Mapping[str, Route] = field(default_factory=dict)  # report kind → route
    departments: Mapping[str, Route] = field(default_factory=dict)  # dept code (contracts/<dept>/) → route


def parse_address(text: Any, where: str) -> Address:
    """``a@b.cn`` or ``显示名 <a@b.cn>`` → Address; ``where`` names the file and key in the error."""
    if not isinstance(text, str) or not text.strip():
        raise RecipientsError(f"{where}: expected an e-mail address, got {text!r}")
    text = text.strip()
    m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", text)
    name, addr = (m.group(1).strip().strip('"'), m.group(2).strip()) if m else ("", text)
    if not _ADDR.match(addr):
        raise RecipientsError(f"{where}: {text!r} is not an e-mail address")
    try:
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError) as exc:
        raise RecipientsError(f"{where}: {text!r} is not an e-mail address ({exc})") from exc


def _addresses(value: Any, where: str) -> tuple[Address, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RecipientsError(f"{where}: expected an address or a non-empty list of addresses, got {value!r}")
    return tuple(parse_address(v, f"{where}[{i}]") for i, v in enumerate(value))


def _route(value: Any, where: str) -> Route:
    """A route is an address, a list of addresses, or ``{to: …, cc: …}``."""
    if isinstance(value, dict):
        unknown = set(value) - {"to", "cc"}
        if unknown:
            raise RecipientsError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (expected to, cc)")
        if "to" not in value:
            raise RecipientsError(f"{where}: missing 'to'")
        cc = _addresses(value["cc"], f"{where}.cc") if value.get("cc") is not None else ()
        return Route(_addresses(value["to"], f"{where}.to"), cc)
    return Route(_addresses(value, where))


def load_recipients(path: Path, departments: Iterable[str] | None = None) -> Recipients:
    """Read and validate a recipients file. ``departments``, when given, are the known department codes:
    a key outside them (a typo would silently never be mailed) is an error."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise RecipientsError(f"{path}: no such recipients file (set $CITYLAKE_RECIPIENTS or create it)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RecipientsError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RecipientsError(f"{path}: expected a mapping with 'reports' and 'departments'")
    unknown = set(data) - {"reports", "departments"}
    if unknown:
        raise RecipientsError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                              "(expected reports, departments)")
    sections = {}
    for section in ("reports", "departments"):
        body = data.get(section) or {}
        if not isinstance(body, dict):
            raise RecipientsError(f"{path}: {section}: expected a mapping, got {type(body).__name__}")
        sections[section] = body
    bad_kinds = sorted(set(map(str, sections["reports"])) - set(KINDS))
    if bad_kinds:
        raise RecipientsError(f"{path}: reports.{bad_kinds[0]}: unknown report kind (expected {', '.join(KINDS)})")
    if departments is not None:
        known = set(departments)
        bad = sorted(set(map(str, sections["departments"])) - known)
        if bad:
            raise RecipientsError(f"{path}: departments.{bad[0]}: no such department "
                                  "(department codes are the folder names under contracts/)")
    return Recipients(
        source=path,
        reports={str(k): _route(v, f"{path}: reports.{k}") for k, v in sections["reports"].items()},
        departments={str(k): _route(v, f"{path}: departments.{k}") for k, v in sections["departments"].items()},
    )


# ------------------------------------------------------------------------------------------------ messages

class RenderedReport(Protocol):
    """What :func:`reports.leadership.render` returns (only what a message needs)."""

    kind: str
    title: str
    period_start: dt.date
    period_end: dt.date
    html: Path
    pdf: Path
    summary: str


@dataclass(frozen=True)
class ReportFiles:
    """A rendered report as a task hands it to the next (paths, not bytes)."""

    kind: str
    title: str
    period_start: dt.date
    period_end: dt.date
    html: Path
    pdf: Path
    summary: str

    @classmethod
    def of(cls, r: RenderedReport | Mapping[str, Any]) -> ReportFiles:
        get = r.get if isinstance(r, Mapping) else lambda k: getattr(r, k)
        day = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))  # noqa: E731
        return cls(str(get("kind")), str(get("title")), day(get("period_start")), day(get("period_end")),
                   Path(get("html")), Path(get("pdf")), str(get("summary")))

    def to_json(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in asdict(self).items()}


def zh_date(d: dt.date, year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"


def period_label(start: dt.date, end: dt.date) -> str:
    """2026年11月21日 · 2026年11月 (a whole month) · 2026年11月16日至11月22日."""
    if start == end:
        return zh_date(start)
    if (start.year, start.month) == (end.year, end.month) and start.day == 1 \
            and end.day == calendar.monthrange(end.year, end.month)[1]:
        return f"{start.year}年{start.month}月"
    return f"{zh_date(start)}至{zh_date(end, year=end.year != start.year)}"


def report_subject(r: RenderedReport) -> str:
    return f"【{CITY}】{KIND_ZH.get(r.kind, r.title)} {period_label(r.period_start, r.period_end)}"


def _safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._")


def _headers(msg: EmailMessage, subject: str, sender: str, to: Iterable[Address | str],
             cc: Iterable[Address | str]) -> None:
    as_addr = lambda a: a if isinstance(a, Address) else parse_address(a, "recipient")  # noqa: E731
    to, cc = [as_addr(a) for a in to], [as_addr(a) for a in cc]
    if not to:
        raise ValueError(f"{subject}: no recipient")
    # The sender comes from the SMTP connection, where citylake@localhost is legitimate: parse, don't judge.
    name, addr = parseaddr(sender)
    sender_addr = Address(display_name=name, addr_spec=addr or sender)
    msg["Subject"] = subject
    msg["From"] = Address(display_name=sender_addr.display_name or "CityLake 数据中心", addr_spec=sender_addr.addr_spec)
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Date"] = format_datetime(dt.datetime.now(TZ))
    msg["Message-ID"] = make_msgid(domain=sender_addr.domain or None)
    # RFC 3834: out-of-office replies should not answer a scheduled mail.
    msg["Auto-Submitted"] = "auto-generated"


def report_message(rendered: RenderedReport, sender: str, to: Iterable[Address | str],
                   cc: Iterable[Address | str] = ()) -> EmailMessage:
    """The leaders' mail: the summary as text (and as simple HTML), the PDF and the HTML page attached."""
    r = ReportFiles.of(rendered)
    label = period_label(r.period_start, r.period_end)
    subject = report_subject(r)
    msg = EmailMessage()
    _headers(msg, subject, sender, to, cc)
    footer = (f"报告期：{label}\n附件：PDF 版（便于打印、转发）与 HTML 版（浏览器打开）。"
              "报告中的每项数据均可追溯到数据仓库查询。\n\n本邮件由宜春市社会治理大数据平台（CityLake）按计划自动发送，请勿直接回复。")
    msg.set_content(f"{r.title}\n\n{r.summary.strip()}\n\n{footer}\n")
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in r.summary.strip().split("\n") if p.strip())
    msg.add_alternative(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(r.title)}</title></head>'
        f'<body style="font-family:sans-serif;line-height:1.6">'
        f'<h2 style="color:#b71c1c">{html.escape(r.title)}</h2>{paras}'
        f'<p style="color:#666;font-size:90%">{html.escape(footer).replace(chr(10), "<br>")}</p></body></html>',
        subtype="html",
    )
    stem = _safe_filename(f"{CITY}{KIND_ZH.get(r.kind, r.kind)}_{label}")
    msg.add_attachment(r.pdf.read_bytes(), maintype="application", subtype="pdf", filename=f"{stem}.pdf")
    msg.add_attachment(r.html.read_bytes(), maintype="text", subtype="html", filename=f"{stem}.html",
                       params={"charset": "utf-8"})
    return msg


@dataclass(frozen=True)
class RuleCount:
    dataset: str
    field: str
    rule: str
    rows: int


def rule_counts(csv_path: Path) -> list[RuleCount]:
    """How many listed records broke each rule, most first, read from the list's CSV (its 数据集, 字段 and
    违反规则 columns, see :data:`reports.corrections.HEADER`)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            counts[(row["数据集"], row["字段"], row["违反规则"])] += 1
    return [RuleCount(*k, n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def correction_subject(department: str, run_at: dt.datetime | None) -> str:
    when = f" {zh_date(run_at.astimezone(TZ).date())}" if run_at else ""
    return f"【{CITY}】{department}问题数据清单{when}"


def correction_message(department_list: Any, sender: str, to: Iterable[Address | str],
                       cc: Iterable[Address | str] = (), *, run_id: str, run_at: dt.datetime | None = None,
                       max_attachments: int = MAX_ATTACHMENTS_BYTES, max_rules: int = 30) -> EmailMessage:
    """One department's 问题数据清单 mail: how many invalid records and which rules (Chinese body), the xlsx and
    the CSV attached. ``department_list`` is a :class:`reports.corrections.DepartmentList` or its dict."""
    d = department_list if isinstance(department_list, Mapping) else asdict(department_list)
    xlsx, csv_path = Path(d["xlsx"]), Path(d["csv"])
    name = d["department"]
    msg = EmailMessage()
    _headers(msg, correction_subject(name, run_at), sender, to, cc)
    when = f"{run_at.astimezone(TZ):%Y年%m月%d日 %H:%M}（北京时间）" if run_at else "最近一次"
    lines = [f"{name}：", ""]
    if d["records"]:
        lines.append(f"{when}数据有效性校验（校验批次 {run_id}）中，贵单位报送的 {d['datasets']} 个数据集共有 "
                     f"{d['records']} 条记录未通过校验（{d['rows']} 条问题）。按违反的规则统计：")
        counts = rule_counts(csv_path)
        for c in counts[:max_rules]:
            lines.append(f"  · {c.dataset} — {c.field}：{c.rule}，{c.rows} 条")
        if len(counts) > max_rules:
            lines.append(f"  · 另有 {len(counts) - max_rules} 类问题，详见附件。")
        lines += ["", "附件《问题数据清单》（Excel 与 CSV 各一份）逐条列出问题记录的来源文件、行号、字段、原始值和违反的规则，"
                      "请核对更正后在下一次报送中重新提交。"]
    else:
        lines += [f"{when}数据有效性校验（校验批次 {run_id}）中，贵单位报送的 {d['datasets']} 个数据集未发现无效记录，无需更正。",
                  "附件为本次的问题数据清单（仅表头），供存档。"]
    files = [(xlsx, XLSX), (csv_path, ("text", "csv"))]
    sizes = {p: p.stat().st_size for p, _ in files}
    if sum(sizes.values()) > max_attachments:
        # The xlsx is compressed: it alone may still fit where both do not.
        files = [(xlsx, XLSX)] if sizes[xlsx] <= max_attachments else []
        left_out = [p for p in (xlsx, csv_path) if p not in {f for f, _ in files}]
        lines += ["", "清单文件较大，以下文件未随邮件发送，请到市大数据中心文件服务器获取："]
        lines += [f"  {p}（{sizes[p] / 1048576:.1f} MB）" for p in left_out]
    lines += ["", "本邮件由宜春市社会治理大数据平台（CityLake）自动发送，请勿直接回复；如对校验规则有疑问，请联系市政务服务数据管理局。"]
    msg.set_content("\n".join(lines) + "\n")
    for path, (maintype, subtype) in files:
        params = {"charset": "utf-8"} if maintype == "text" else {}
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name, params=params)
    return msg


# ----------------------------------------------------------------------------------------------------- SMTP

@dataclass(frozen=True)
class Sent:
    subject: str
    message_id: str
    accepted: tuple[str, ...]
    refused: dict[str, str]  # address (or "*" for the whole message) → the server's answer


def _recipients(msg: EmailMessage) -> list[str]:
    out = []
    for h in ("To", "Cc", "Bcc"):
        header = msg[h]
        if header is not None:
            out += [a.addr_spec for a in header.addresses]
    return out


def send(messages: Iterable[EmailMessage], server: Smtp, timeout: float = 60) -> list[Sent]:
    """Send every message over one SMTP connection (SSL, STARTTLS and login as ``server`` says).

    A connection or login failure raises (the task retries). A message the server refuses is recorded in
    its :class:`Sent` and the others still go out.
    """
    context = ssl.create_default_context()
    if server.ssl:
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
    out = []
    with client:
        if server.starttls and not server.ssl:
            client.starttls(context=context)
        if server.login:
            client.login(server.login, server.password or "")
        for msg in messages:
            rcpts = _recipients(msg)
            try:
                refused = {k: f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                           for k, (code, text) in client.send_message(msg, to_addrs=rcpts).items()}
            except smtplib.SMTPRecipientsRefused as exc:
                refused = {k: f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                           for k, (code, text) in exc.recipients.items()}
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                refused = {"*": f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"}
            accepted = () if "*" in refused else tuple(a for a in rcpts if a not in refused)
            out.append(Sent(str(msg["Subject"]), str(msg["Message-ID"]), accepted, refused))
            if refused:
                log.error("%s: refused by %s:%s for %s", msg["Subject"], server.host, server.port, refused)
    return out


def _say(text: str, level: int = logging.INFO) -> None:
    log.log(level, text)
    print(text, flush=True)  # the task log shows stdout whatever Airflow's logging set-up


# --------------------------------------------------------------------------------------------- stage functions

def report_day(when: dt.datetime) -> dt.date:
    """The day a scheduled report covers: the day before its run in Beijing time (07:30 on the 22nd reports
    the 21st; Monday's weekly ends on Sunday; the 1st's monthly ends on the last day of the month before)."""
    return when.astimezone(TZ).date() - dt.timedelta(days=1)


def as_of_for_run(param: str | dt.date | None, when: dt.datetime) -> dt.date:
    """A DAG run's report date: its ``as_of`` param when set (a manual run for another period), else
    :func:`report_day` of the run's logical date."""
    if param:
        try:
            return param if isinstance(param, dt.date) else dt.date.fromisoformat(str(param))
        except ValueError as exc:
            raise ValueError(f"param as_of: {param!r} is not a date YYYY-MM-DD") from exc
    return report_day(when)


def _department_codes(s: Settings) -> list[str]:
    return sorted(p.name for p in s.contracts_dir.iterdir() if p.is_dir())


def render_report(kind: str, s: Settings | None = None, as_of: dt.date | None = None) -> dict:
    """Render one leadership report (HTML + PDF); returns its :class:`ReportFiles` as JSON."""
    from citylake.config import settings
    from reports.leadership import render

    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r} (expected {', '.join(KINDS)})")
    s = s or settings()
    load_recipients(s.recipients, _department_codes(s))  # a broken recipients file fails before the render
    files = ReportFiles.of(render(s, kind, as_of))
    _say(f"{files.title}: {files.html} · {files.pdf}")
    return files.to_json()


def mail_report(report: Mapping[str, Any] | RenderedReport, s: Settings | None = None,
                env: Mapping[str, str] | None = None) -> dict:
    """Mail a rendered report to its kind's recipients through ``smtp_default``; returns the report's JSON with
    ``mailed_to``, ``cc`` and ``status`` (mailed · not_mailed: no SMTP · no_recipients)."""
    from citylake.config import settings, smtp

    s = s or settings()
    r = ReportFiles.of(report)
    out = {**r.to_json(), "mailed_to": [], "cc": [], "status": "not_mailed"}
    route = load_recipients(s.recipients, _department_codes(s)).reports.get(r.kind)
    server = smtp(SMTP_CONN_ID, env)
    if server is None:
        _say(f"{report_subject(r)}: not mailed: no {SMTP_CONN_ID} connection")
        return out
    if route is None:
        _say(f"{report_subject(r)}: not mailed: no recipients for report kind {r.kind!r} in {s.recipients}",
             logging.WARNING)
        return {**out, "status": "no_recipients"}
    (sent,) = send([report_message(r, server.sender, route.to, route.cc)], server)
    if not sent.accepted:
        raise DeliveryError(f"{sent.subject}: refused by {server.host}:{server.port}: {sent.refused}")
    _say(f"{sent.subject}: mailed to {', '.join(sent.accepted)} through {server.host}:{server.port}")
    cc = {a.addr_spec for a in route.cc}
    return {**out, "status": "mailed", "mailed_to": [a for a in sent.accepted if a not in cc],
            "cc": [a for a in sent.accepted if a in cc], "refused": sent.refused, "message_id": sent.message_id}


def deliver_report(kind: str, s: Settings | None = None, as_of: dt.date | None = None,
                   env: Mapping[str, str] | None = None) -> dict:
    """Render one report (``kind`` in daily, weekly, monthly) and mail it to its recipients."""
    from citylake.config import settings

    s = s or settings()
    return mail_report(render_report(kind, s, as_of), s, env)


def _validity_run(s: Settings, run_id: str | None) -> tuple[str, dt.datetime | None]:
    import duckdb

    from reports.corrections import CorrectionListError

    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        sql = "select run_id, max(run_at) from quality.validity_runs"
        row = con.execute(f"{sql} where run_id = ? group by run_id", [run_id]).fetchone() if run_id else \
            con.execute(f"{sql} group by run_id order by 2 desc, 1 desc limit 1").fetchone()
    finally:
        con.close()
    if row is None:
        raise CorrectionListError(f"no validity run {run_id!r} in quality.validity_runs" if run_id
                                  else "quality.validity_runs is empty: run the validity runner first")
    return row[0], row[1]


def correction_lists(s: Settings, run_id: str | None = None) -> tuple[str, dt.datetime | None, list[dict]]:
    """The run's lists as the pipeline wrote them (``manifest.json``), or written now when absent."""
    from reports.corrections import safe_name, write_lists

    run_id, run_at = _validity_run(s, run_id)
    manifest = s.reports_dir / "corrections" / safe_name(run_id) / "manifest.json"
    if manifest.is_file():
        lists = json.loads(manifest.read_text(encoding="utf-8"))["departments"]
        if all(Path(d["xlsx"]).is_file() and Path(d["csv"]).is_file() for d in lists):
            return run_id, run_at, lists
    return run_id, run_at, [asdict(d) for d in write_lists(s, run_id)]


def deliver_corrections(run_id: str | None = None, s: Settings | None = None,
                        env: Mapping[str, str] | None = None) -> list[dict]:
    """Mail each department its own 问题数据清单 of the validity run (default: the latest) through
    ``smtp_default``. Returns one entry per department: its list, who was mailed and the ``status`` (mailed ·
    not_mailed: no SMTP · no_recipients: the department is not in the recipients file · refused)."""
    from citylake.config import settings, smtp

    s = s or settings()
    recipients = load_recipients(s.recipients, _department_codes(s))
    run_id, run_at, lists = correction_lists(s, run_id)
    server = smtp(SMTP_CONN_ID, env)
    if server is None:
        _say(f"问题数据清单 correction lists of run {run_id}: not mailed: no {SMTP_CONN_ID} connection")
    out, batch = [], []
    for d in lists:
        entry = {**d, "run_id": run_id, "mailed_to": [], "status": "not_mailed"}
        route = recipients.departments.get(d["dept"])
        if route is None:
            _say(f"{d['department']} ({d['dept']}): correction list not mailed: no address in {recipients.source}")
            entry["status"] = "no_recipients"
        elif server is not None:
            msg = correction_message(d, server.sender, route.to, route.cc, run_id=run_id, run_at=run_at)
            batch.append((entry, msg))
        out.append(entry)
    if batch:
        for (entry, _), sent in zip(batch, send([m for _, m in batch], server)):
            entry.update(mailed_to=list(sent.accepted), refused=sent.refused,
                         status="mailed" if sent.accepted else "refused")
            if sent.accepted:
                _say(f"{entry['department']} ({entry['dept']}): {entry['records']} 条问题记录 → {', '.join(sent.accepted)}")
        if not any(e["status"] == "mailed" for e, _ in batch):
            raise DeliveryError(f"no correction list of run {run_id} could be mailed through "
                                f"{server.host}:{server.port}: {[e['refused'] for e, _ in batch]}")
    return out
