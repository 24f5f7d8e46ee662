"""The leadership reports' charts: matplotlib figures returned as inline SVG markup.

Made with the object-oriented API (``matplotlib.figure.Figure`` and the SVG canvas), never ``pyplot``: no
backend is selected and no global state is touched, so importing or calling this module changes nothing
for other matplotlib users in the process (Airflow workers, notebooks). ``svg.fonttype = 'path'`` is set in
an ``rc_context`` for the one ``savefig`` call: the Chinese labels become outlines, so the chart needs no
font wherever it is shown, and the CJK font is read from its file through ``FontProperties(fname=…)``.

The SVG is cleaned for inlining into HTML: no XML prolog or DOCTYPE, no ``<metadata>`` (it names
matplotlib's web site), no namespace URIs (HTML knows ``<svg>`` and ``xlink:href`` without them) and no
``<style>`` element (its ``*`` rule would leak onto the page).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from reports.fonts import font_path

RED = "#c62828"  # 红榜
BLACK = "#263238"  # 黑榜
NEUTRAL = "#5b8db8"
TARGET = "#ef6c00"
GREY = "#90a4ae"
WIDTH_IN = 6.6  # fits the A4 text block (about 170 mm) at 100 %


@dataclass(frozen=True)
class Chart:
    name: str
    caption: str  # Chinese, under the chart
    svg: str


@cache
def _font():
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(font_path()))


def _svg(fig, name: str) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buf = io.StringIO()
    # hashsalt: stable ids from run to run, and distinct per chart so two inline SVGs never share a clip id.
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": f"citylake-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = re.sub(r"<\?xml.*?\?>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!DOCTYPE.*?>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{name}" ', 1)
    return svg.strip()


def _figure(height_in: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=72, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax) -> None:
    fp = _font()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontproperties(fp)
        label.set_fontsize(8.5)


def _pct_axis(ax, axis: str = "x") -> None:
    from matplotlib.ticker import PercentFormatter

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(PercentFormatter(1.0, decimals=0))


def department_validity(rows: Sequence[dict], target: float) -> Chart:
    """Horizontal bars: each ranked department's validity, 红榜 red, 黑榜 black, a dashed line at the target."""
    from matplotlib.patches import Patch

    ranked = [r for r in rows if r["validity_ratio"] is not None]
    fp = _font()
    fig, ax = _figure(max(2.2, 0.19 * len(ranked) + 0.9))
    names = [r["department"] for r in ranked][::-1]
    values = [r["validity_ratio"] for r in ranked][::-1]
    colours = [RED if r["mark"] == "红榜" else BLACK if r["mark"] == "黑榜" else NEUTRAL for r in ranked][::-1]
    y = range(len(ranked))
    ax.barh(list(y), values, color=colours, height=0.68)
    ax.set_yticks(list(y), names)
    for i, v in zip(y, values):
        ax.text(min(v, 1.0) + 0.005, i, f"{v * 100:.1f}%", va="center", fontsize=7.5, fontproperties=fp)
    ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.4)
    ax.text(target - 0.01, len(ranked) - 0.3, f"目标{target * 100:.0f}%", color=TARGET, ha="right", va="bottom",
            fontsize=8, fontproperties=fp)
    ax.set_xlim(0, 1.08)
    ax.set_ylim(-0.6, len(ranked) + 0.4)
    _pct_axis(ax)
    ax.legend(handles=[Patch(color=RED, label="红榜"), Patch(color=BLACK, label="黑榜"),
                       Patch(color=NEUTRAL, label="其他部门")],
              prop=fp, fontsize=8, loc="lower right", frameon=False)
    _style(ax)
    return Chart("department_validity", f"各部门数据有效率（虚线为{target * 100:.0f}%目标线）", _svg(fig, "department_validity"))


def basic_validity(rows: Sequence[dict], target: float) -> Chart:
    """One bar per basic dataset (实有人口, 流动人口, 实有房屋): green met, red missed, the target dashed."""
    fp = _font()
    fig, ax = _figure(1.7)
    rows = [r for r in rows if r["validity_ratio"] is not None][::-1]
    y = list(range(len(rows)))
    ax.barh(y, [r["validity_ratio"] for r in rows], height=0.6,
            color=["#2e7d32" if r["is_met"] else RED for r in rows])
    ax.set_yticks(y, [r["dataset"] for r in rows])
    for i, r in zip(y, rows):
        ax.text(r["validity_ratio"] + 0.005, i, f"{r['validity_ratio'] * 100:.1f}%", va="center", fontsize=8,
                fontproperties=fp)
    ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.4)
    ax.set_xlim(0, 1.08)
    _pct_axis(ax)
    _style(ax)
    return Chart("basic_validity", f"基础数据有效率（虚线为{target * 100:.0f}%目标线；绿色达标，红色未达标）",
                 _svg(fig, "basic_validity"))


def events_by_district(rows: Sequence[dict], period_word: str) -> Chart:
    """Grouped bars per district: received, closed, overdue in the period."""
    import numpy as np

    fp = _font()
    rows = [r for r in rows if r["district"] != "全市"]
    fig, ax = _figure(2.6)
    x = np.arange(len(rows))
    w = 0.27
    series = (("received", "受理", "#1e88e5"), ("closed", "办结", "#43a047"), ("overdue", "超期", RED))
    for j, (col, label, colour) in enumerate(series):
        values = [r[col] for r in rows]
        bars = ax.bar(x + (j - 1) * w, values, w, label=label, color=colour)
        for b, v in zip(bars, values):
            if v:
                ax.text(b.get_x() + b.get_width() / 2, v, str(v), ha="center", va="bottom", fontsize=7,
                        fontproperties=fp)
    ax.set_xticks(x, [r["district"] for r in rows])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("件", fontproperties=fp)
    ax.legend(prop=fp, frameon=False, ncols=3, loc="upper right")
    _style(ax)
    return Chart("events_by_district", f"{period_word}各区县事件受理、办结、超期数（件）", _svg(fig, "events_by_district"))


def camera_online(rows: Sequence[dict]) -> Chart:
    """Bars per status day: the share of reporting cameras online, labelled online/reporting."""
    fp = _font()
    fig, ax = _figure(2.2)
    days: list[date] = [r["status_date"] for r in rows]
    labels = [f"{d.month}月{d.day}日" for d in days]
    values = [r["online_rate"] for r in rows]
    bars = ax.bar(range(len(rows)), values, 0.6, color=NEUTRAL)
    for b, r in zip(bars, rows):
        ax.text(b.get_x() + b.get_width() / 2, r["online_rate"] + 0.01,
                f"{r['online_rate'] * 100:.1f}%\n{r['cameras_online']}/{r['cameras_reporting']}",
                ha="center", va="bottom", fontsize=7, fontproperties=fp)
    ax.set_xticks(range(len(rows)), labels)
    ax.set_xlim(-0.6, max(len(rows), 7) - 0.4)  # a week's width even when fewer days reported
    ax.set_ylim(0, 1.25)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    _pct_axis(ax, "y")
    if not rows:
        ax.text(0.5, 0.5, "本期无在线状态数据", transform=ax.transAxes, ha="center", fontproperties=fp)
    _style(ax)
    return Chart("camera_online", "视频监控点位在线率（在线点位/上报状态点位）", _svg(fig, "camera_online"))
