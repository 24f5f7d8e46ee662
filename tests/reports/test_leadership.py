"""The leadership reports on the shared published city: every kind renders, each number is the result of the
query its appendix prints, the page is self-contained, and a mart held back by the quality gate becomes a
Chinese notice instead of a crash."""

from __future__ import annotations

import base64
import dataclasses
import io
import math
import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from reports import leadership as L
from reports.figures import FIGURES, cell_value
from tests.published_city import copy_published, published_city

SECTIONS = ("一、数据质量红黑榜", "二、基础数据有效性", "三、社会治理事件", "四、12345热线满意率",
            "五、视频监控（雪亮工程）", "六、市域社会治理主要指标", "附录：数据来源")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    s = dataclasses.replace(published_city(), reports_dir=tmp_path_factory.mktemp("leadership"))
    return s, {kind: L.render(s, kind) for kind in L.KINDS}


def _latest_run_date(warehouse: Path) -> date:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (run_at,) = con.execute("select max(run_at) from quality.validity_runs").fetchone()
    finally:
        con.close()
    return run_at.astimezone(ZoneInfo("Asia/Shanghai")).date()


class _Page(HTMLParser):
    """The traced cells, the appendix (SQL + parameters per figure) and the visible text of a report."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: list[dict] = []
        self.sources: dict[str, dict] = {}
        self._open: list[tuple[str, dict, list[str]]] = []
        self._sql_for: str | None = None
        self._sql: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-figure" in a:
            self._open.append((tag, a, []))
        if "data-figure-source" in a:
            self.sources[a["data-figure-source"]] = {"params": a["data-params"]}
        if tag == "pre" and "data-sql-for" in a:
            self._sql_for, self._sql = a["data-sql-for"], []

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            t, a, text = self._open.pop()
            self.cells.append({**a, "text": "".join(text).strip()})
        if tag == "pre" and self._sql_for:
            self.sources[self._sql_for]["sql"] = "".join(self._sql)
            self._sql_for = None

    def handle_data(self, data):
        for _, _, text in self._open:
            text.append(data)
        if self._sql_for:
            self._sql.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _params(raw: str) -> dict:
    import json

    out = {}
    for k, v in json.loads(raw).items():
        out[k] = date.fromisoformat(v) if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else v
    return out


def assert_traceable(html: str, warehouse: Path) -> int:
    """Re-run every figure's SQL as the appendix prints it; every traced cell must show that result."""
    page = _parse(html)
    assert page.cells, "no traced figure cells on the page"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        results = {}
        for name, src in page.sources.items():
            assert name in FIGURES, f"appendix lists unknown figure {name}"
            assert src["sql"].strip() == FIGURES[name].sql.strip(), f"{name}: appendix SQL differs from the registry"
            cur = con.execute(src["sql"], _params(src["params"]))
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r)) for r in cur.fetchall()]
            results[name] = {"|".join(cell_value(r[k]) for k in FIGURES[name].key): r for r in rows}
    finally:
        con.close()
    for c in page.cells:
        fig = c["data-figure"]
        assert fig in results, f"cell of {fig} has no SQL in the appendix"
        row = results[fig].get(c["data-key"])
        assert row is not None, f"{fig}: row {c['data-key']!r} not in the query result"
        expected = row[c["data-col"]]
        shown = c["data-value"]
        if isinstance(expected, float) and shown:
            assert math.isclose(float(shown), expected, rel_tol=1e-9, abs_tol=1e-12), (fig, c)
        else:
            assert shown == cell_value(expected), (fig, c, expected)
        # What the reader sees is the query's value in the cell's format (targets carry their comparator).
        text = L.FORMATS[c["data-format"]](expected)
        assert c["text"] == text or (c["data-col"] == "target" and c["text"][1:] == text), (fig, c, text)
    return len(page.cells)


def test_period_arithmetic():
    sunday = date(2026, 11, 22)
    d = L.period("daily", sunday)
    assert (d.start, d.end, d.prev_start, d.prev_end, d.label) == (sunday, sunday, date(2026, 11, 21), date(2026, 11, 21), "2026-11-22")
    w = L.period("weekly", sunday)
    assert (w.start, w.end, w.prev_start, w.prev_end, w.label) == (
        date(2026, 11, 16), sunday, date(2026, 11, 9), date(2026, 11, 15), "2026-W47")
    m = L.period("monthly", date(2027, 1, 5))
    assert (m.start, m.end, m.prev_start, m.prev_end, m.label) == (
        date(2027, 1, 1), date(2027, 1, 31), date(2026, 12, 1), date(2026, 12, 31), "2027-01")
    # ISO week of a New Year's day belongs to the old year's week 53.
    ny = L.period("weekly", date(2027, 1, 1))
    assert (ny.start, ny.label) == (date(2026, 12, 28), "2026-W53")
    assert L.title(ny) == "宜春市市域社会治理数据周调度（2026年第53周：12月28日—1月3日）"
    assert L.title(m) == "宜春市市域社会治理数据月通报（2027年1月）"
    with pytest.raises(ValueError):
        L.period("yearly", sunday)


def test_every_kind_renders_html_and_pdf_with_its_period_and_title(city):
    s, rendered = city
    as_of = _latest_run_date(s.warehouse) - timedelta(days=1)  # a validity run describes the day before it
    d, w, m = rendered["daily"], rendered["weekly"], rendered["monthly"]
    assert (d.period_start, d.period_end) == (as_of, as_of)
    assert d.title == f"宜春市市域社会治理数据日报（{as_of.year}年{as_of.month}月{as_of.day}日）"
    assert w.period_start.weekday() == 0 and w.period_end - w.period_start == timedelta(days=6)
    assert w.period_start <= as_of <= w.period_end and w.title.startswith("宜春市市域社会治理数据周调度（")
    assert m.period_start == as_of.replace(day=1) and (m.period_end + timedelta(days=1)).day == 1
    assert m.title == f"宜春市市域社会治理数据月通报（{as_of.year}年{as_of.month}月）"
    for kind, r in rendered.items():
        assert r.html == s.reports_dir / kind / f"{kind}_{r.label}.html"
        assert r.pdf.read_bytes().startswith(b"%PDF-")
        assert (s.reports_dir / kind / f"{kind}_latest.pdf").read_bytes() == r.pdf.read_bytes()
        assert (s.reports_dir / kind / f"{kind}_latest.html").read_bytes() == r.html.read_bytes()
        assert not list((s.reports_dir / kind).glob("*.tmp")), "a temporary file was left behind"
        lines = r.summary.splitlines()
        assert 3 <= len(lines) <= 6 and lines[0].startswith("基础数据有效性：")
        assert any(line.startswith("红黑榜：") for line in lines)
        html = r.html.read_text(encoding="utf-8")
        assert f"<title>{r.title}</title>" in html
        for heading in SECTIONS:
            assert heading in html, (kind, heading)
        # 无上期数据: the shared city was validated once, so there is no previous period to compare with.
        assert "无上期数据" in html


def test_sections_carry_charts_drawn_as_outlines(city):
    _, rendered = city
    html = rendered["weekly"].html.read_text(encoding="utf-8")
    for chart in ("department_validity", "basic_validity", "events_by_district", "camera_online"):
        m = re.search(rf'<figure id="chart-{chart}">\s*(<svg.*?</svg>)', html, re.S)
        assert m, chart
        svg = m.group(1)
        assert "<path" in svg and "<text" not in svg, f"{chart}: text must be drawn as outlines"
    # The 90% target line is named on the chart's caption and the ranking marks are on the table.
    assert "虚线为90%目标线" in html and ">黑榜</td>" in html and ">红榜</td>" in html


def test_every_shown_number_is_its_query_result(city):
    s, rendered = city
    for kind, r in rendered.items():
        html = r.html.read_text(encoding="utf-8")
        n = assert_traceable(html, s.warehouse)
        assert n > 100, (kind, n)
        for fig in ("department_ranking", "basic_validity", "events_by_district", "hotline_satisfaction",
                    "camera_online_by_day", "camera_coverage_village", "governance_indicators"):
            assert f'data-figure="{fig}"' in html, (kind, fig)
        assert unescape(re.search(r'id="source-warehouse">(.*?)<', html).group(1)) == str(s.warehouse)
        assert re.search(r'id="source-run">(.*?)<', html).group(1) == r.run_id


def test_html_is_self_contained_with_a_subset_cjk_font(city):
    from fontTools.ttLib import TTFont

    from reports.fonts import page_characters

    _, rendered = city
    html = rendered["daily"].html.read_text(encoding="utf-8")
    for banned in ("http://", "https://", "<script", "<link", "<img", "<iframe"):
        assert banned not in html.lower(), banned
    m = re.search(r"@font-face \{[^}]*src: url\(data:font/(?:otf|woff2);base64,([A-Za-z0-9+/=]+)\)", html)
    assert m, "no embedded @font-face"
    font = TTFont(io.BytesIO(base64.b64decode(m.group(1))))
    cmap = font.getBestCmap()
    needed = {c for c in page_characters(html) if not c.isspace()}
    assert needed - set(map(chr, cmap)) == set()
    assert "宜" in {chr(c) for c in cmap} and len(cmap) < 2000, "the font must be a subset of the page's characters"
    assert len(m.group(1)) < 600_000


def _hold_person_and_add_previous_run(s):
    """A copy of the warehouse as after a run whose 实有人口 mart was held on its first publication, with an
    earlier validity run the day before (lower validity for some departments, higher for others)."""
    con = duckdb.connect(str(s.warehouse))
    try:
        con.execute("drop table marts.dim_person")
        con.execute("""insert into quality.publications
                       select 'scheduled__held', now(), 'marts.dim_person', 'held', null, [], ['gongan.hukou']""")
        run_id, = con.execute("select max(run_id) from quality.validity_runs").fetchone()
        con.execute("""insert into quality.validity_runs
                       select 'scheduled__previous', run_at - interval 1 day, contract_id, dataset, department,
                              records, valid_records - 1, (valid_records - 1) / records, target, passed, gate
                       from quality.validity_runs where run_id = ? and records > 1""", [run_id])
        con.execute("""insert into quality.department_ranking
                       select 'scheduled__previous', run_at - interval 1 day, department, records, valid_records,
                              case when validity_rank % 2 = 0 then validity_ratio - 0.05 else validity_ratio + 0.02 end,
                              validity_rank, null, null, null, null, target, mark
                       from quality.department_ranking where run_id = ?""", [run_id])
    finally:
        con.close()


def test_a_held_back_mart_is_a_chinese_notice_and_the_trend_compares_with_last_period(tmp_path):
    s = copy_published(tmp_path)
    _hold_person_and_add_previous_run(s)
    r = L.render(s, "daily")
    html = r.html.read_text(encoding="utf-8")
    assert "实有人口数据未通过质量门禁，暂缓发布" in html
    assert 'data-figure="population_by_district"' not in html
    assert 'data-figure="houses_by_district"' in html  # the other basic mart is still reported
    assert "marts.dim_person" in html and r.pdf.read_bytes().startswith(b"%PDF-")
    # Trend: this period's run against the previous day's: both directions shown, with the previous value.
    page = _parse(html)
    changes = [c for c in page.cells if c["data-figure"] == "department_ranking" and c["data-col"] == "change"]
    assert any(c["text"].startswith("↑") for c in changes) and any(c["text"].startswith("↓") for c in changes)
    previous = [c for c in page.cells if c["data-figure"] == "department_ranking" and c["data-col"] == "previous_ratio"]
    assert sum(1 for c in previous if c["data-value"]) >= 20
    assert "scheduled__previous" in html and "无上期数据" not in html
    assert assert_traceable(html, s.warehouse) > 50


def test_main_renders_the_asked_kind(tmp_path, monkeypatch, capsys):
    s = copy_published(tmp_path)
    monkeypatch.setenv("CITYLAKE_WAREHOUSE", str(s.warehouse))
    monkeypatch.setenv("CITYLAKE_REPORTS_DIR", str(tmp_path / "out"))
    as_of = _latest_run_date(s.warehouse) + timedelta(days=3)  # a later date: the latest run is carried over
    monkeypatch.setattr(L, "html_to_pdf", lambda html, base: b"%PDF-1.7 stub")  # the PDF path has its own tests
    assert L.main(["--kind", "monthly", "--as-of", as_of.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "月通报" in out and (tmp_path / "out" / "monthly" / f"monthly_{as_of:%Y-%m}.html").exists()


def _status_days(warehouse: Path) -> list[date]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [d for (d,) in con.execute(
            "select distinct status_date from marts.fct_camera_status_daily order by 1").fetchall()]
    finally:
        con.close()


def test_daily_camera_status_falls_back_to_the_last_day_that_has_it(tmp_path):
    """A 日报 of a day the camera platform has not reported yet shows the last status day, says so and labels
    it with its date; a day that has status shows that day, with no such notice."""
    s = dataclasses.replace(published_city(), reports_dir=tmp_path)
    days = _status_days(s.warehouse)
    assert days, "the shared city has no camera status"
    last = days[-1]
    later = last + timedelta(days=2)
    html, _ = L.build_html(s, "daily", as_of=later)
    notice = L.camera_status_lag_notice(later, last)
    assert notice in html and f"{last.month}月{last.day}日" in notice and f"{later.month}月{later.day}日" in notice
    page = _parse(html)
    shown = [c for c in page.cells if c["data-figure"] == "camera_online_by_day" and c["data-col"] == "status_date"]
    assert shown and shown[-1]["data-value"] == last.isoformat()
    assert f"在线率（{last.month}月{last.day}日）" in html  # the headline card names the day it shows
    assert len(shown) == len([d for d in days if last - timedelta(days=6) <= d <= last])  # a week's window
    assert assert_traceable(html, s.warehouse) > 50

    html, _ = L.build_html(s, "daily", as_of=last)
    assert "尚无" not in html and 'data-figure="camera_online_by_day"' in html
