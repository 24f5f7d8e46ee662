"""The data-quality report (数据质量报告): one self-contained Chinese HTML page per validity run.

Every figure on the page comes from a query on the ``quality`` tables written by :mod:`expectations.runner`.
The page renders offline: inline CSS, an inline SVG chart, no script, no web font, no external reference.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from citylake.config import Settings

TZ = ZoneInfo("Asia/Shanghai")
CITY_TARGET = 0.9  # 实有人口、流动人口及实有房屋等基础数据有效性占比不低于90%; used when a run has no basic data
TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITY_ZH = {"error": "错误（计入有效性）", "warning": "警告（仅提示）"}


class ReportError(RuntimeError):
    """The warehouse holds nothing to report on."""


@dataclass(frozen=True)
class Bar:
    label: str
    sublabel: str
    ratio: float
    y: float
    width: float
    css: str  # pass | fail | none


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _latest_run(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("select run_id from quality.validity_runs order by run_at desc, run_id desc limit 1").fetchall()
    if not rows:
        raise ReportError("quality.validity_runs is empty: run the validity runner first")
    return rows[0][0]


def load(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> dict:
    """Everything the page shows, queried from the quality tables of one run (default: the latest)."""
    latest = _latest_run(con)
    run_id = run_id or latest
    datasets = _rows(
        con,
        """
        select contract_id, dataset, department, records, valid_records, validity_ratio as ratio, target, passed,
               gate, run_at
        from quality.validity_runs where run_id = ?
        order by target is null, dataset, contract_id
        """,
        [run_id],
    )
    if not datasets:
        raise ReportError(f"no validity run {run_id!r} in quality.validity_runs")
    departments = _rows(
        con,
        """
        select department,
               count(*) as datasets,
               sum(records) as records,
               sum(valid_records) as valid_records,
               sum(valid_records) / nullif(sum(records), 0) as ratio,
               sum(records) filter (where target is not null) as basic_records,
               sum(valid_records) filter (where target is not null)
                   / nullif(sum(records) filter (where target is not null), 0) as basic_ratio,
               count(*) filter (where target is not null) as basic_datasets,
               bool_and(passed) filter (where target is not null) as basic_passed,
               string_agg(dataset, '、' order by dataset) filter (where passed = false) as missed_datasets
        from quality.validity_runs where run_id = ?
        group by department
        order by basic_ratio is null, basic_ratio desc, ratio desc, department
        """,
        [run_id],
    )
    rules = _rows(
        con,
        """
        select v.dataset, r.contract_id, r.rule_id, r.rule_name, r.dimension, r.severity, r.checked, r.failed,
               r.failed / nullif(r.checked, 0) as failed_ratio
        from quality.rule_results r
        join quality.validity_runs v using (run_id, contract_id)
        where r.run_id = ? and r.failed > 0
        order by r.severity = 'warning', r.failed desc, r.contract_id, r.rule_id
        """,
        [run_id],
    )
    dimensions = _rows(
        con,
        """
        select dimension, count(*) as rules, sum(checked) as checked, sum(failed) as failed,
               sum(failed) filter (where severity = 'error') as failed_errors
        from quality.rule_results where run_id = ?
        group by dimension order by failed desc, dimension
        """,
        [run_id],
    )
    totals = _rows(
        con,
        """
        select sum(records) filter (where target is not null) as basic_records,
               sum(valid_records) filter (where target is not null) as basic_valid,
               sum(valid_records) filter (where target is not null)
                   / nullif(sum(records) filter (where target is not null), 0) as basic_ratio,
               count(*) filter (where target is not null) as basic_datasets,
               count(*) filter (where passed) as passed,
               count(*) filter (where passed = false) as missed,
               max(target) as target
        from quality.validity_runs where run_id = ?
        """,
        [run_id],
    )[0]
    return {
        "ranking": _ranking(con, run_id),
        "run_id": run_id,
        "is_latest": run_id == latest,
        "run_at": datasets[0]["run_at"],
        "datasets": datasets,
        "departments": departments,
        "rules": rules,
        "dimensions": dimensions,
        "totals": totals,
    }


def _ranking(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """The run's 红黑榜 (``quality.department_ranking``, written by the runner); empty for a warehouse validated
    before the ranking existed."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'quality' and table_name = 'department_ranking'"
    ).fetchall()[0][0]
    if not exists:
        return []
    return _rows(
        con,
        """
        select department, records, valid_records, validity_ratio as ratio, validity_rank as rank,
               previous_run_id, previous_ratio, change, change_rank, mark, target
        from quality.department_ranking where run_id = ?
        order by validity_rank nulls last, change desc nulls last, department
        """,
        [run_id],
    )


def _pp(x: float | None) -> str:
    """A change of ratio in percentage points, signed (+1.2 / −0.4 / 0.0)."""
    if x is None:
        return "—"
    v = round(x * 100, 1)
    return "0.0" if v == 0 else (f"+{v:.1f}" if v > 0 else f"−{-v:.1f}")


def bar_chart(datasets: list[dict], target: float = CITY_TARGET) -> dict:
    """Geometry of the horizontal bar chart: one bar per dataset, 0–100 % scale, a line at the target."""
    left, width, bar_h, gap, top = 190, 460, 26, 14, 34
    bars = []
    for i, d in enumerate(x for x in datasets if x["ratio"] is not None):
        css = "none" if d["target"] is None else ("pass" if d["passed"] else "fail")
        bars.append(
            Bar(
                label=d["dataset"],
                sublabel=d["department"],
                ratio=d["ratio"],
                y=top + i * (bar_h + gap),
                width=round(d["ratio"] * width, 1),
                css=css,
            )
        )
    height = top + len(bars) * (bar_h + gap) + 30
    return {
        "left": left,
        "width": width,
        "bar_h": bar_h,
        "height": height,
        "total_width": left + width + 80,
        "target_x": round(left + target * width, 1),
        "target": target,
        "ticks": [(round(left + t / 100 * width, 1), t) for t in (0, 25, 50, 75, 100)],
        "bars": bars,
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _num(x: int | None) -> str:
    return "—" if x is None else f"{x:,}"


def render(settings: Settings, run_id: str | None = None) -> Path:
    """Write ``quality_<date>.html`` (the run's date in Asia/Shanghai) and, for the latest run,
    ``quality_latest.html``; return the dated file."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        data = load(con, run_id)
    finally:
        con.close()
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["pp"] = _pp
    run_at = data["run_at"].astimezone(TZ)
    # The line drawn and the department verdicts use the basic datasets' target as stored with the run.
    target = data["totals"]["target"] if data["totals"]["target"] is not None else CITY_TARGET
    html = env.get_template("quality.html.j2").render(
        **data,
        chart=bar_chart(data["datasets"], target),
        target=target,
        severity_zh=SEVERITY_ZH,
        run_at_local=run_at.strftime("%Y-%m-%d %H:%M:%S"),
        generated_at=datetime.now(TZ).strftime("%Y-%m-%d %H:%M:%S"),
    )
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    out = settings.reports_dir / f"quality_{run_at:%Y-%m-%d}.html"
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    if data["is_latest"]:
        latest = settings.reports_dir / "quality_latest.html"
        shutil.copyfile(out, latest.with_suffix(".html.tmp"))
        latest.with_suffix(".html.tmp").replace(latest)
    return out
