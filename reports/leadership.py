"""The leadership reports — 日报 (daily brief), 周调度 (weekly dispatch), 月通报 (monthly bulletin) — as one
self-contained Chinese HTML page and a PDF made from it.

:func:`render` reads only the published warehouse (read-only) and writes
``reports_dir/<kind>/<kind>_<label>.html|.pdf`` and ``<kind>_latest.html|.pdf``, each atomically. Every
number on the page is a cell of a named query in :mod:`reports.figures`; the page's appendix (数据来源) prints
each query with its parameters, the warehouse file and the validity run, and every cell carries the query id,
row key, column and raw value, so a reader (or ``tests/reports/test_leadership.py``) can re-run it.

Periods (Asia/Shanghai): the daily report covers the as-of date; the weekly the ISO week (Mon–Sun) holding
it; the monthly its calendar month. Flows (events received, closed …) are counted from the period's first
day to the as-of date; "last period" is the previous day/week/month. The as-of date defaults to the date of
the latest validity run. The 红黑榜 trend compares this period's latest validity run with the previous
period's latest run.

A mart held back by the quality gate (``quality.publications``) is never a crash: when it is absent (held
on its first run) its section says, in Chinese, that it is 暂缓发布; when an older version is still live the
section says which run it comes from.

Called by the scheduler and the command line (``citylake report --kind …``, wired by the lead) through
:func:`render` or :func:`main`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from citylake.config import Settings, settings
from reports import figures as F
from reports.charts import Chart

TZ = ZoneInfo("Asia/Shanghai")
TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = {"daily": "日报", "weekly": "周调度", "monthly": "月通报"}
PERIOD_WORD = {"daily": "当日", "weekly": "本周", "monthly": "本月"}
PREVIOUS_WORD = {"daily": "前一日", "weekly": "上周", "monthly": "上月"}
CITY = "宜春市"
TARGET = 0.9  # 实有人口、流动人口及实有房屋等基础数据有效性占比不低于90%, when a run stores none
FONT_PLACEHOLDER = "/*@font-face@*/"


class ReportError(RuntimeError):
    """The warehouse holds nothing to report on (no validity run)."""


# ---- periods ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # the period's last day (Sunday, month end)
    as_of: date  # flows are counted from start to as_of
    label: str  # in file names: 2026-11-21, 2026-W47, 2026-11
    prev_start: date
    prev_end: date
    trend_start: date  # first day of the camera chart (daily: the 7 days up to as_of)


def period(kind: str, as_of: date) -> Period:
    if kind == "daily":
        prev = as_of - timedelta(days=1)
        return Period(kind, as_of, as_of, as_of, as_of.isoformat(), prev, prev, as_of - timedelta(days=6))
    if kind == "weekly":
        start = as_of - timedelta(days=as_of.weekday())
        year, week, _ = as_of.isocalendar()
        return Period(kind, start, start + timedelta(days=6), as_of, f"{year}-W{week:02d}",
                      start - timedelta(days=7), start - timedelta(days=1), start)
    if kind == "monthly":
        start = as_of.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        prev_end = start - timedelta(days=1)
        return Period(kind, start, end, as_of, f"{as_of:%Y-%m}", prev_end.replace(day=1), prev_end, start)
    raise ValueError(f"unknown report kind {kind!r}: expected one of {', '.join(KINDS)}")


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def title(p: Period) -> str:
    head = f"{CITY}市域社会治理数据{KINDS[p.kind]}"
    if p.kind == "daily":
        return f"{head}（{p.start.year}年{_md(p.start)}）"
    if p.kind == "weekly":
        year, week, _ = p.start.isocalendar()
        return f"{head}（{year}年第{week}周：{_md(p.start)}—{_md(p.end)}）"
    return f"{head}（{p.start.year}年{p.start.month}月）"


# ---- formatting (the same functions the traceability test applies to the re-run query) --------------------

def _num(v: Any) -> str:
    return "—" if v is None else f"{int(v):,}"


def _pct(v: Any) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _pp(v: Any) -> str:
    """A change of ratio in percentage points with its direction: ↑1.2 / ↓0.4 / →0.0; — without a base."""
    if v is None:
        return "—"
    x = round(v * 100, 1)
    return "→0.0" if x == 0 else (f"↑{x:.1f}" if x > 0 else f"↓{-x:.1f}")


def _met(v: Any) -> str:
    return "—" if v is None else ("达标" if v else "未达标")


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _date(v: Any) -> str:
    return "—" if v is None else f"{v.year}年{v.month}月{v.day}日"


def _per100k(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}/10万人"


def _persons(v: Any) -> str:
    return "—" if v is None else f"{v:g}人"


FORMATS: dict[str, Callable[[Any], str]] = {
    "num": _num, "pct": _pct, "pp": _pp, "met": _met, "text": _text, "date": _date,
    "per100k": _per100k, "persons": _persons,
}
UNIT_FORMAT = {"ratio": "pct", "per 100000": "per100k", "persons": "persons"}
COMPARATOR = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "=": "＝"}


def fmt_target(comparator: str | None, target: Any, unit: str | None) -> str:
    return f"{COMPARATOR.get(comparator or '', comparator or '')}{FORMATS[UNIT_FORMAT.get(unit or 'ratio', 'pct')](target)}"


# ---- page model ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    text: str
    figure: str | None = None  # a figure's cell: traceable
    key: str | None = None
    col: str | None = None
    value: str | None = None
    fmt: str | None = None
    css: str = ""


@dataclass(frozen=True)
class Table:
    figure: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass
class Section:
    anchor: str
    heading: str
    notices: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    cards: list[tuple[str, Cell]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Rendered:
    kind: str
    title: str
    period_start: date
    period_end: date
    as_of: date
    label: str
    run_id: str
    html: Path
    pdf: Path
    summary: str  # 3–6 Chinese lines for a mail body
    figures: tuple[str, ...]  # the ids of the queries the report shows (its appendix)
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per step


def cell(result: F.Result, row: dict, col: str, fmt: str, css: str = "") -> Cell:
    v = row[col]
    return Cell(FORMATS[fmt](v), result.figure.name, F.row_key(result.figure, row), col, F.cell_value(v), fmt, css)


def label(text: str, css: str = "") -> Cell:
    return Cell(text, css=css)


def _met_css(v: Any) -> str:
    return "" if v is None else ("pass" if v else "fail")


def _change_css(v: Any) -> str:
    return "" if v is None or round(v * 100, 1) == 0 else ("up" if v > 0 else "down")


# ---- data ------------------------------------------------------------------------------------------------

class Warehouse:
    """The published warehouse, opened read-only, and what of it is there to report on."""

    def __init__(self, path: Path):
        import duckdb

        self.path = path
        self.con = duckdb.connect(str(path), read_only=True)
        self.relations = {f"{s}.{t}" for s, t in self.con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        self.results: dict[str, F.Result] = {}
        self.publications: dict[str, dict] = {}
        if "quality.publications" in self.relations:
            self.publications = self.run(F.PUBLICATIONS, {}).by_key()

    def close(self) -> None:
        self.con.close()

    def run(self, figure: F.Figure, params: Mapping[str, Any]) -> F.Result:
        result = F.run(self.con, figure, dict(params))
        self.results[figure.name] = result
        return result

    def blocked(self, figure: F.Figure) -> list[str]:
        """Chinese notices for what keeps ``figure`` from being shown (empty: show it)."""
        notes = []
        for rel in figure.requires:
            if rel in self.relations:
                continue
            name = F.MART_LABELS.get(rel, rel)
            pub = self.publications.get(rel)
            if pub and pub["action"] == "held":
                notes.append(f"{name}数据未通过质量门禁，暂缓发布（校验批次 {pub['run_id']}）。")
            else:
                notes.append(f"{name}数据暂未发布（已发布数据库中无 {rel}）。")
        return notes

    def stale(self, figure: F.Figure) -> list[str]:
        """Chinese notices for a held mart whose previous version is still live (shown, with its age)."""
        notes = []
        for rel in figure.requires:
            pub = self.publications.get(rel)
            if rel in self.relations and pub and pub["action"] == "held":
                notes.append(f"{F.MART_LABELS.get(rel, rel)}数据本批次（{pub['run_id']}）未通过质量门禁，"
                             f"以下为批次 {pub['live_run_id'] or '早前'} 发布的上一版本。")
        return notes


def data_day(run_date: date) -> date:
    """The day a validity run describes: the day before it ran. The 04:00 pipeline checks the departments'
    morning exports of the day before (and the sample city's events end the day before its as-of date), so
    the 07:30 daily brief on the 22nd, reporting the 21st, uses the run of the 22nd."""
    return run_date - timedelta(days=1)


def _choose_runs(runs: Sequence[dict], p: Period) -> tuple[dict, dict | None, str]:
    """This period's latest validity run (describing a day up to the as-of date) and the previous period's."""
    upto = [r for r in runs if data_day(r["run_date"]) <= p.as_of]
    if not upto:
        raise ReportError(f"no validity run describing {p.as_of} or earlier in quality.validity_runs")
    current = upto[-1]
    note = ""
    if data_day(current["run_date"]) < p.start:
        note = f"本期内无数据校验运行，沿用 {_date(current['run_date'])} 的校验批次。"
    previous = [r for r in runs if p.prev_start <= data_day(r["run_date"]) <= p.prev_end
                and r["run_id"] != current["run_id"]]
    return current, (previous[-1] if previous else None), note


def default_as_of(s: Settings) -> date:
    """The day the latest validity run in the published warehouse describes (:func:`data_day` of its
    Asia/Shanghai date)."""
    wh = Warehouse(s.warehouse)
    try:
        runs = wh.run(F.VALIDITY_RUNS, {}).rows
    finally:
        wh.close()
    if not runs:
        raise ReportError(f"{s.warehouse}: quality.validity_runs is empty, nothing to report on")
    return data_day(runs[-1]["run_date"])


# ---- sections --------------------------------------------------------------------------------------------

def _district_rows(result: F.Result, measures: Sequence[str], compact: bool) -> tuple[list[dict], str]:
    """A daily report lists only the districts with something to show (and the city); the others are
    counted in a note. Weekly and monthly list every district."""
    rows = list(result.rows)
    if not compact:
        return rows, ""
    kept = [r for r in rows if r["district"] == F.CITY_NAME or any(r[m] for m in measures)]
    left = len(rows) - len(kept)
    return kept, (f"其余{left}个区县本期无数据，未列出。" if left else "")


def _ranking_section(wh: Warehouse, params: dict, p: Period, has_prev: bool) -> tuple[Section, float]:
    sec = Section("ranking", "一、数据质量红黑榜")
    target = TARGET
    if notes := wh.blocked(F.DEPARTMENT_RANKING):
        sec.notices += notes
        return sec, target
    res = wh.run(F.DEPARTMENT_RANKING, params)
    targets = {r["target"] for r in res.rows if r["target"] is not None}
    target = targets.pop() if len(targets) == 1 else TARGET
    red = [r for r in res.rows if r["mark"] == "红榜"]
    black = [r for r in res.rows if r["mark"] == "黑榜"]
    sec.paragraphs.append(
        f"各部门数据有效率 = 有效记录数 ÷ 报送记录数（本期最新校验批次）。目标{target * 100:.0f}%；"
        f"黑榜为低于目标的全部部门，红榜为有效率排名前三且达标的部门。"
        + ("" if has_prev else f"较上期变化：无上期数据（{PREVIOUS_WORD[p.kind]}无校验批次）。"))
    from reports import charts

    if any(r["validity_ratio"] is not None for r in res.rows):
        sec.charts.append(charts.department_validity(res.rows, target))
    rows = []
    for r in res.rows:
        mark_css = {"红榜": "red", "黑榜": "black"}.get(r["mark"] or "", "")
        rows.append((
            cell(res, r, "validity_rank", "num"), label(r["department"]),
            cell(res, r, "records", "num"), cell(res, r, "valid_records", "num"),
            cell(res, r, "validity_ratio", "pct", "fail" if r["validity_ratio"] is not None and r["validity_ratio"] < target else ""),
            cell(res, r, "previous_ratio", "pct"),
            cell(res, r, "change", "pp", _change_css(r["change"])),
            cell(res, r, "mark", "text", mark_css),
        ))
    sec.tables.append(Table(res.figure.name, "各部门数据有效率排名（红黑榜）",
                            ("排名", "部门", "报送记录", "有效记录", "有效率", "上期有效率", "较上期（百分点）", "榜单"),
                            tuple(rows)))
    sec.cards = [
        ("红榜部门", Cell(f"{len(red)}个", css="red-text")),
        ("黑榜部门", Cell(f"{len(black)}个", css="black-text")),
    ]
    if black:
        sec.paragraphs.append("黑榜：" + "、".join(f"{r['department']}（{_pct(r['validity_ratio'])}）" for r in black) + "。")
    return sec, target


def _basic_section(wh: Warehouse, params: dict, p: Period, compact: bool) -> Section:
    from reports import charts

    sec = Section("basic", "二、基础数据有效性")
    res = None
    if notes := wh.blocked(F.BASIC_VALIDITY):
        sec.notices += notes
    else:
        res = wh.run(F.BASIC_VALIDITY, params)
        target = next((r["target"] for r in res.rows if r["target"] is not None), TARGET)
        sec.paragraphs.append(f"实有人口、流动人口、实有房屋等基础数据有效性占比不低于{target * 100:.0f}%。")
        if res.rows:
            sec.charts.append(charts.basic_validity(res.rows, target))
        sec.tables.append(Table(res.figure.name, "基础数据有效性（按数据类别）",
                                ("数据类别", "记录数", "有效记录", "有效率", "目标", "是否达标", "上期有效率", "较上期（百分点）"),
                                tuple((label(r["dataset"]), cell(res, r, "records", "num"),
                                       cell(res, r, "valid_records", "num"),
                                       cell(res, r, "validity_ratio", "pct"), cell(res, r, "target", "pct"),
                                       cell(res, r, "is_met", "met", _met_css(r["is_met"])),
                                       cell(res, r, "previous_ratio", "pct"),
                                       cell(res, r, "change", "pp", _change_css(r["change"])))
                                      for r in res.rows)))
        feeds = wh.run(F.BASIC_VALIDITY_FEEDS, params)
        sec.tables.append(Table(feeds.figure.name, "基础数据有效性（按来源部门数据集）",
                                ("数据类别", "来源部门", "数据集", "记录数", "有效记录", "有效率", "是否达标"),
                                tuple((label(r["dataset"]), label(r["department"]), label(r["contract_id"], "code"),
                                       cell(feeds, r, "records", "num"), cell(feeds, r, "valid_records", "num"),
                                       cell(feeds, r, "validity_ratio", "pct"),
                                       cell(feeds, r, "passed", "met", _met_css(r["passed"])))
                                      for r in feeds.rows)))
    for fig, caption, headers, cols in (
        (F.POPULATION_BY_DISTRICT, "实有人口（按区县，人）", ("区县", "实有人口", "户籍人口", "流动人口", "寄住人口"),
         ("residents", "hukou", "floating", "lodging")),
        (F.HOUSES_BY_DISTRICT, "实有房屋（按区县，户室）", ("区县", "实有房屋", "有人居住", "出租房屋"),
         ("rooms", "occupied", "rented")),
    ):
        if notes := wh.blocked(fig):
            sec.notices += notes
            continue
        sec.notices += wh.stale(fig)
        r2 = wh.run(fig, params)
        rows, note = _district_rows(r2, cols, compact)
        sec.tables.append(Table(fig.name, caption, headers,
                                tuple((label(r["district"], "city" if r["district"] == F.CITY_NAME else ""),
                                       *(cell(r2, r, c, "num") for c in cols)) for r in rows), note))
    return sec


def _events_section(wh: Warehouse, params: dict, p: Period, compact: bool) -> Section:
    from reports import charts

    sec = Section("events", "三、社会治理事件")
    if notes := wh.blocked(F.EVENTS_BY_DISTRICT):
        sec.notices += notes
        return sec
    sec.notices += wh.stale(F.EVENTS_BY_DISTRICT)
    word = PERIOD_WORD[p.kind]
    res = wh.run(F.EVENTS_BY_DISTRICT, params)
    sec.paragraphs.append(
        f"统计区间 {_date(p.start)} 至 {_date(p.as_of)}。受理：{word}上报的事件；办结：{word}办结的事件；"
        f"超期：超过办理时限且截至统计日仍未办结或于{word}超期办结的事件；办结率：{word}受理事件中已办结的比例；"
        f"化解率：{word}受理的矛盾纠纷（人民调解、网格矛盾纠纷）中调解成功或已化解的比例。")
    city = next(r for r in res.rows if r["district"] == F.CITY_NAME)
    sec.cards = [(f"{word}受理", cell(res, city, "received", "num")), (f"{word}办结", cell(res, city, "closed", "num")),
                 ("超期", cell(res, city, "overdue", "num", "fail" if city["overdue"] else "")),
                 ("办结率", cell(res, city, "closure_rate", "pct")), ("化解率", cell(res, city, "resolution_rate", "pct"))]
    sec.charts.append(charts.events_by_district(res.rows, word))
    rows, note = _district_rows(res, ("received", "closed", "overdue"), compact)
    sec.tables.append(Table(res.figure.name, "事件办理情况（按区县）",
                            ("区县", "受理", "办结", "超期", "受理已办结", "办结率", "矛盾纠纷", "已化解", "化解率"),
                            tuple((label(r["district"], "city" if r["district"] == F.CITY_NAME else ""),
                                   cell(res, r, "received", "num"), cell(res, r, "closed", "num"),
                                   cell(res, r, "overdue", "num", "fail" if r["overdue"] else ""),
                                   cell(res, r, "received_closed", "num"), cell(res, r, "closure_rate", "pct"),
                                   cell(res, r, "with_outcome", "num"), cell(res, r, "resolved", "num"),
                                   cell(res, r, "resolution_rate", "pct")) for r in rows), note))
    src = wh.run(F.EVENTS_BY_SOURCE, params)
    sec.tables.append(Table(src.figure.name, "事件办理情况（按来源）",
                            ("事件来源", "受理", "办结", "超期", f"{PREVIOUS_WORD[p.kind]}受理"),
                            tuple((label(r["source_name"]), cell(src, r, "received", "num"), cell(src, r, "closed", "num"),
                                   cell(src, r, "overdue", "num", "fail" if r["overdue"] else ""),
                                   cell(src, r, "previous_received", "num")) for r in src.rows),
                            "" if src.rows else "本期及上期均无事件。"))
    return sec


def _hotline_section(wh: Warehouse, params: dict, p: Period, compact: bool) -> Section:
    sec = Section("hotline", "四、12345热线满意率")
    word = PERIOD_WORD[p.kind]
    if notes := wh.blocked(F.HOTLINE_SATISFACTION):
        sec.notices += notes
    else:
        sec.notices += wh.stale(F.HOTLINE_SATISFACTION)
        res = wh.run(F.HOTLINE_SATISFACTION, params)
        city = next(r for r in res.rows if r["district"] == F.CITY_NAME)
        sec.cards = [(f"{word}满意率", cell(res, city, "satisfaction_rate", "pct")),
                     (f"{word}回访工单", cell(res, city, "evaluated", "num")),
                     ("较上期（百分点）", cell(res, city, "change", "pp", _change_css(city["change"])))]
        sec.paragraphs.append(f"满意率 = 回访评价为满意或基本满意的工单数 ÷ 已回访评价工单数，按回访日期计入{word}。")
        rows, note = _district_rows(res, ("evaluated", "previous_evaluated"), compact)
        sec.tables.append(Table(res.figure.name, "12345热线满意率（按区县）",
                                ("区县", "回访工单", "满意/基本满意", "满意率", f"{PREVIOUS_WORD[p.kind]}满意率", "较上期（百分点）"),
                                tuple((label(r["district"], "city" if r["district"] == F.CITY_NAME else ""),
                                       cell(res, r, "evaluated", "num"), cell(res, r, "satisfied", "num"),
                                       cell(res, r, "satisfaction_rate", "pct"), cell(res, r, "previous_rate", "pct"),
                                       cell(res, r, "change", "pp", _change_css(r["change"]))) for r in rows), note))
    if notes := wh.blocked(F.HOTLINE_INDICATOR):
        sec.notices += notes
    else:
        ind = wh.run(F.HOTLINE_INDICATOR, params)
        sec.tables.append(Table(ind.figure.name, "12345热线满意率（近365天，治理指标口径）",
                                ("范围", "满意工单", "已评价工单", "满意率", "目标", "是否达标", "统计区间"),
                                tuple((label(r["scope_name"]), cell(ind, r, "numerator", "num"),
                                       cell(ind, r, "denominator", "num"), cell(ind, r, "value", "pct"),
                                       Cell(fmt_target(r["comparator"], r["target"], "ratio"), ind.figure.name,
                                            F.row_key(ind.figure, r), "target", F.cell_value(r["target"]), "pct"),
                                       cell(ind, r, "is_met", "met", _met_css(r["is_met"])),
                                       label(f"{_date(r['period_start'])}—{_date(r['period_end'])}"))
                                      for r in ind.rows)))
    return sec


def camera_status_lag_notice(as_of: date, last_day: date) -> str:
    """What a reader is told when the camera platform has no status for the day reported on."""
    return (f"视频监控平台尚无{_date(as_of)}的设备在线状态数据，以下在线率为最近有状态数据的"
            f"{_date(last_day)}（及此前）的情况。")


def _video_section(wh: Warehouse, params: dict, p: Period, compact: bool) -> Section:
    from reports import charts

    sec = Section("video", "五、视频监控（雪亮工程）")
    if notes := wh.blocked(F.CAMERA_ONLINE_BY_DAY):
        sec.notices += notes
    else:
        sec.notices += wh.stale(F.CAMERA_ONLINE_BY_DAY)
        days = wh.run(F.CAMERA_ONLINE_BY_DAY, params)
        sec.charts.append(charts.camera_online(days.rows))
        if days.rows:
            last = days.rows[-1]
            if last["status_date"] < p.as_of:
                sec.notices.append(camera_status_lag_notice(p.as_of, last["status_date"]))
            sec.cards = [(f"在线率（{_md(last['status_date'])}）", cell(days, last, "online_rate", "pct")),
                         ("在线点位", cell(days, last, "cameras_online", "num")),
                         ("上报状态点位", cell(days, last, "cameras_reporting", "num"))]
        sec.tables.append(Table(days.figure.name, "视频监控点位在线率（按日）",
                                ("状态日期", "上报状态点位", "在线点位", "在线率", "平均在线时长占比"),
                                tuple((cell(days, r, "status_date", "date"), cell(days, r, "cameras_reporting", "num"),
                                       cell(days, r, "cameras_online", "num"), cell(days, r, "online_rate", "pct"),
                                       cell(days, r, "mean_online_ratio", "pct")) for r in days.rows),
                                "" if days.rows else "统计区间内无设备在线状态数据。"))
    if notes := wh.blocked(F.CAMERA_ONLINE_BY_DISTRICT):
        sec.notices += [n for n in notes if n not in sec.notices]
    else:
        res = wh.run(F.CAMERA_ONLINE_BY_DISTRICT, params)
        rows, note = _district_rows(res, ("cameras_reporting",), compact)
        day = res.rows[-1]["status_date"] if res.rows else None
        sec.tables.append(Table(res.figure.name, f"视频监控点位在线率（按区县，{_date(day)}）",
                                ("区县", "上报状态点位", "在线点位", "在线率"),
                                tuple((label(r["district"], "city" if r["district"] == F.CITY_NAME else ""),
                                       cell(res, r, "cameras_reporting", "num"), cell(res, r, "cameras_online", "num"),
                                       cell(res, r, "online_rate", "pct")) for r in rows), note))
    if notes := wh.blocked(F.CAMERA_COVERAGE_VILLAGE):
        sec.notices += notes
    else:
        sec.notices += wh.stale(F.CAMERA_COVERAGE_VILLAGE)
        res = wh.run(F.CAMERA_COVERAGE_VILLAGE, params)
        rows, note = _district_rows(res, ("villages",), compact)
        sec.paragraphs.append("覆盖口径：行政村至少5个一类监控点、自然村主要路口2个监控点；两项均达标的行政村计为“雪亮工程”覆盖。")
        sec.tables.append(Table(res.figure.name, "视频监控覆盖（村/社区）",
                                ("区县", "村/社区", "行政村", "行政村达标", "行政村达标率", "自然村", "自然村达标",
                                 "自然村达标率", "雪亮工程覆盖率", "监控点位", "一类点位"),
                                tuple((label(r["district"], "city" if r["district"] == F.CITY_NAME else ""),
                                       cell(res, r, "villages", "num"), cell(res, r, "admin_villages", "num"),
                                       cell(res, r, "admin_villages_compliant", "num"),
                                       cell(res, r, "village_compliance_rate", "pct"),
                                       cell(res, r, "natural_villages", "num"),
                                       cell(res, r, "natural_villages_compliant", "num"),
                                       cell(res, r, "natural_village_compliance_rate", "pct"),
                                       cell(res, r, "xueliang_coverage", "pct"), cell(res, r, "cameras", "num"),
                                       cell(res, r, "class_1_cameras", "num")) for r in rows), note))
    if notes := wh.blocked(F.CAMERA_COVERAGE_GRID):
        sec.notices += notes
    else:
        res = wh.run(F.CAMERA_COVERAGE_GRID, params)
        rows, note = _district_rows(res, ("grids",), compact)
        sec.tables.append(Table(res.figure.name, "视频监控覆盖（网格）",
                                ("区县", "网格", "有监控网格", "网格覆盖率", "监控点位", "规划点位", "上报状态", "在线", "在线率"),
                                tuple((label(r["district"], "city" if r["district"] == F.CITY_NAME else ""),
                                       cell(res, r, "grids", "num"), cell(res, r, "grids_with_cameras", "num"),
                                       cell(res, r, "grid_coverage", "pct"), cell(res, r, "cameras", "num"),
                                       cell(res, r, "plan_points", "num"), cell(res, r, "cameras_reporting", "num"),
                                       cell(res, r, "cameras_online", "num"), cell(res, r, "online_rate", "pct"))
                                      for r in rows), note))
    return sec


def _indicator_value_cell(res: F.Result, r: dict, col: str) -> Cell:
    return cell(res, r, col, UNIT_FORMAT.get(r["unit"] or "ratio", "pct"))


def _indicators_section(wh: Warehouse, params: dict, p: Period) -> Section:
    sec = Section("indicators", "六、市域社会治理主要指标")
    if notes := wh.blocked(F.GOVERNANCE_INDICATORS):
        sec.notices += notes
        return sec
    sec.notices += wh.stale(F.GOVERNANCE_INDICATORS)
    res = wh.run(F.GOVERNANCE_INDICATORS, params)
    city = [r for r in res.rows if r["scope"] == F.CITY_CODE]
    met = sum(1 for r in city if r["is_met"])
    if city:
        sec.paragraphs.append(
            f"事件类指标统计近365天（{_date(city[0]['period_start'])}—{_date(city[0]['period_end'])}），"
            f"网格、视频类指标为统计日现状。全市{len(city)}项指标中{met}项达标。")
    sec.cards = [("全市达标指标", Cell(f"{met}/{len(city)}", css="pass" if met == len(city) else "fail"))]
    for caption, rows in (("全市", city), ("各区县", [r for r in res.rows if r["scope"] != F.CITY_CODE])):
        if not rows:
            continue
        sec.tables.append(Table(res.figure.name, f"市域社会治理主要指标（{caption}）",
                                ("指标", "范围", "分子", "分母", "指标值", "目标", "是否达标", "口径"),
                                tuple((label(r["indicator_name"]), label(r["scope_name"]),
                                       cell(res, r, "numerator", "num") if r["unit"] != "persons" else label("—"),
                                       cell(res, r, "denominator", "num") if r["unit"] != "persons" else label("—"),
                                       _indicator_value_cell(res, r, "value"),
                                       Cell(fmt_target(r["comparator"], r["target"], r["unit"]), res.figure.name,
                                            F.row_key(res.figure, r), "target", F.cell_value(r["target"]),
                                            UNIT_FORMAT.get(r["unit"] or "ratio", "pct")),
                                       cell(res, r, "is_met", "met", _met_css(r["is_met"])),
                                       label(r["definition"] or "", "small")) for r in rows)))
    return sec


# ---- summary (mail body) ---------------------------------------------------------------------------------

def _summary(wh: Warehouse, p: Period, target: float) -> str:
    word = PERIOD_WORD[p.kind]
    lines = []
    r = wh.results
    if "basic_validity" in r and r["basic_validity"].rows:
        parts = "、".join(f"{x['dataset']}{_pct(x['validity_ratio'])}（{_met(x['is_met'])}）" for x in r["basic_validity"].rows)
        lines.append(f"基础数据有效性：{parts}，目标≥{target * 100:.0f}%。")
    if "department_ranking" in r:
        rows = r["department_ranking"].rows
        red = [x["department"] for x in rows if x["mark"] == "红榜"]
        black = [x["department"] for x in rows if x["mark"] == "黑榜"]

        def names(xs: list[str]) -> str:
            return "、".join(xs[:5]) + ("等" if len(xs) > 5 else "")

        lines.append(f"红黑榜：红榜{len(red)}个部门" + (f"（{names(red)}）" if red else "")
                     + f"，黑榜{len(black)}个部门" + (f"（{names(black)}）" if black else "") + "。")
    if "events_by_district" in r:
        c = next(x for x in r["events_by_district"].rows if x["district"] == F.CITY_NAME)
        lines.append(f"社会治理事件：{word}受理{c['received']}件、办结{c['closed']}件、超期{c['overdue']}件，"
                     f"办结率{_pct(c['closure_rate'])}，矛盾纠纷化解率{_pct(c['resolution_rate'])}。")
    else:
        lines.append("社会治理事件数据未通过质量门禁，暂缓发布。")
    if "hotline_satisfaction" in r:
        c = next(x for x in r["hotline_satisfaction"].rows if x["district"] == F.CITY_NAME)
        year = ""
        if "hotline_indicator" in r:
            ci = next((x for x in r["hotline_indicator"].rows if x["scope"] == F.CITY_CODE), None)
            if ci:
                year = f"，近365天{_pct(ci['value'])}（目标≥{_pct(ci['target'])}，{_met(ci['is_met'])}）"
        lines.append(f"12345热线满意率：{word}{_pct(c['satisfaction_rate'])}（回访{c['evaluated']}件）{year}。")
    if "camera_online_by_day" in r and r["camera_online_by_day"].rows:
        last = r["camera_online_by_day"].rows[-1]
        cover = ""
        if "camera_coverage_village" in r:
            cv = next(x for x in r["camera_coverage_village"].rows if x["district"] == F.CITY_NAME)
            cover = f"，“雪亮工程”覆盖率{_pct(cv['xueliang_coverage'])}"
        lines.append(f"视频监控：{_date(last['status_date'])}在线率{_pct(last['online_rate'])}"
                     f"（{last['cameras_online']}/{last['cameras_reporting']}个点位）{cover}。")
    if "governance_indicators" in r:
        city = [x for x in r["governance_indicators"].rows if x["scope"] == F.CITY_CODE]
        missed = [x for x in city if x["is_met"] is False]
        line = f"治理指标：全市{len(city)}项中{len(city) - len(missed)}项达标"
        if missed:
            line += "；未达标：" + "、".join(
                f"{x['indicator_name']}{FORMATS[UNIT_FORMAT.get(x['unit'], 'pct')](x['value'])}"
                f"（目标{fmt_target(x['comparator'], x['target'], x['unit'])}）" for x in missed[:3])
        lines.append(line + "。")
    return "\n".join(lines[:6])


# ---- rendering -------------------------------------------------------------------------------------------

def _appendix(wh: Warehouse, shown: Sequence[str]) -> list[dict]:
    out = []
    for name in shown:
        res = wh.results[name]
        marts = [m for m in res.figure.requires if m.startswith("marts.")]
        live = {m: (wh.publications.get(m) or {}).get("live_run_id") for m in marts}
        out.append({
            "name": name, "title": res.figure.title, "sql": res.figure.sql, "rows": len(res.rows),
            "params": json.dumps({k: F.cell_value(v) if v is not None else None for k, v in res.params.items()},
                                 ensure_ascii=False, sort_keys=True),
            "requires": ", ".join(res.figure.requires),
            "live": "；".join(f"{m}：{v}" for m, v in live.items() if v),
        })
    return out


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same folder, flushed, then renamed over ``path``: a reader sees the old or the new
    file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_html(s: Settings, kind: str, as_of: date | None = None) -> tuple[str, dict]:
    """The report page (fonts embedded) and what was measured and chosen while building it."""
    from reports.fonts import FAMILY, font_face_css, page_characters

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    as_of = as_of or default_as_of(s)
    p = period(kind, as_of)
    compact = kind == "daily"
    wh = Warehouse(s.warehouse)
    try:
        runs = wh.run(F.VALIDITY_RUNS, {}).rows
        if not runs:
            raise ReportError(f"{s.warehouse}: quality.validity_runs is empty, nothing to report on")
        current, previous, run_note = _choose_runs(runs, p)
        params = {"run_id": current["run_id"], "prev_run_id": previous["run_id"] if previous else None,
                  "start": p.start, "end": p.as_of, "prev_start": p.prev_start, "prev_end": p.prev_end,
                  "trend_start": p.trend_start, "as_of": p.as_of}
        t1 = time.perf_counter()
        ranking, target = _ranking_section(wh, params, p, previous is not None)
        if run_note:
            ranking.notices.append(run_note)
        sections = [ranking, _basic_section(wh, params, p, compact), _events_section(wh, params, p, compact),
                    _hotline_section(wh, params, p, compact), _video_section(wh, params, p, compact),
                    _indicators_section(wh, params, p)]
        timings["queries_and_charts"] = time.perf_counter() - t1
        shown = [n for n in wh.results if n not in ("validity_runs", "publications")]
        appendix = _appendix(wh, ["validity_runs"] + (["publications"] if "publications" in wh.results else []) + shown)
        summary = _summary(wh, p, target)
        held = sorted(m for m, pub in wh.publications.items() if pub["action"] == "held")
    finally:
        wh.close()
    page_title = title(p)
    html = _environment().get_template("leadership.html.j2").render(
        title=page_title, kind=kind, kind_zh=KINDS[kind], period=p, period_word=PERIOD_WORD[kind],
        sections=sections, appendix=appendix, summary_lines=summary.splitlines(),
        warehouse=str(s.warehouse), run_id=current["run_id"], run_at=current["run_at"].astimezone(TZ),
        previous_run_id=previous["run_id"] if previous else None, held=held, target=target,
        font_family=FAMILY, font_placeholder=FONT_PLACEHOLDER, date_zh=_date,
        generated_at=datetime.now(TZ).strftime("%Y-%m-%d %H:%M:%S"),
    )
    t2 = time.perf_counter()
    html = html.replace(FONT_PLACEHOLDER, font_face_css(page_characters(html)), 1)
    timings["font_subset"] = time.perf_counter() - t2
    timings["build_html"] = time.perf_counter() - t0
    meta = {"period": p, "title": page_title, "summary": summary, "run_id": current["run_id"],
            "figures": tuple(shown), "timings": timings}
    return html, meta


def html_to_pdf(html: str, base_url: Path) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(base_url)).write_pdf()


def render(s: Settings, kind: str, as_of: date | None = None) -> Rendered:
    """Render the ``kind`` report (daily | weekly | monthly) as of ``as_of`` (default: the date of the latest
    validity run, Asia/Shanghai) into ``s.reports_dir/<kind>/``; return what was written."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}: expected one of {', '.join(KINDS)}")
    html, meta = build_html(s, kind, as_of)
    p: Period = meta["period"]
    timings = meta["timings"]
    folder = s.reports_dir / kind
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / f"{kind}_{p.label}.html"
    pdf_path = folder / f"{kind}_{p.label}.pdf"
    data = html.encode("utf-8")
    _write_atomic(html_path, data)
    t = time.perf_counter()
    pdf = html_to_pdf(html, folder)
    timings["pdf"] = time.perf_counter() - t
    _write_atomic(pdf_path, pdf)
    # The latest copies are written the same way (not linked), so a mail or a web server can pick them up
    # while the next report is being rendered.
    _write_atomic(folder / f"{kind}_latest.html", data)
    _write_atomic(folder / f"{kind}_latest.pdf", pdf)
    return Rendered(kind=kind, title=meta["title"], period_start=p.start, period_end=p.end, as_of=p.as_of,
                    label=p.label, run_id=meta["run_id"], html=html_path, pdf=pdf_path, summary=meta["summary"],
                    figures=meta["figures"], timings=dict(timings))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m reports.leadership --kind daily|weekly|monthly|all [--as-of YYYY-MM-DD]``."""
    ap = argparse.ArgumentParser(prog="reports.leadership", description="Render the leadership reports (HTML + PDF).")
    ap.add_argument("--kind", choices=[*KINDS, "all"], default="all")
    ap.add_argument("--as-of", type=date.fromisoformat, default=None,
                    help="report date (default: the date of the latest validity run, Asia/Shanghai)")
    args = ap.parse_args(argv)
    s = settings()
    for kind in (KINDS if args.kind == "all" else [args.kind]):
        r = render(s, kind, args.as_of)
        print(f"{r.title}\n  {r.html}\n  {r.pdf}\n  " + "\n  ".join(r.summary.splitlines()))
        print("  " + ", ".join(f"{k} {v:.2f}s" for k, v in r.timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
