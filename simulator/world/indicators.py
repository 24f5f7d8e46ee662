"""The true values of the plan's governance indicators (专栏1 市域社会治理建设主要指标, and the 2020 baselines
the plan states), computed from the world's entities, for the city (scope ``360900``) and each district.

Event-based indicators look at the 365 days before the as-of date, as the centre would see them at the
as-of date: a rate counts the events whose deadline has passed (an event reported yesterday cannot be
held against the closure rate yet). Definitions, each a numerator ÷ denominator:
- 事件办结率: grid events (网格事件) closed ÷ grid events due; target ≥98.5% (2020 baseline 98.5%).
- 矛盾纠纷化解率: disputes (人民调解) with outcome 调解成功 ÷ disputes due; target ≥95% (专栏1).
- 十万人命案发案率: homicides among 110 警情 ÷ persons × 100,000; target <0.65 (专栏1).
- 12345热线满意率: evaluated work orders 满意 or 基本满意 ÷ evaluated; target ≥96% (专栏1's 平安建设满意度
  指数 >96% is the nearest target; 2020 baseline 97.72%).
- 网格员配备率: grids with ≥1 grid worker ÷ grids; target 100% (专栏1: 每个网格专(兼)职网格员个数 ≥1).
- 每个网格专(兼)职网格员个数(最少): the fewest workers any grid has; target ≥1.
- 行政村监控点达标率: 行政村 with ≥5 一类 points at the village ÷ 行政村; target 100%.
- 自然村路口监控点达标率: 自然村 with ≥2 points at their crossings ÷ 自然村; target 100%.
- "雪亮工程"建设覆盖率: 行政村 meeting both rules (itself and all its 自然村) ÷ 行政村; target 100% (专栏1).
- 村(社区)服务管理网格化体系覆盖率: 村/社区 with ≥1 grid ÷ 村/社区; target 100% (专栏1).
- 村级综合服务设施覆盖率: 村委会 with a 村级综合服务设施 ÷ 村委会; target ≥90% (专栏1 城乡社区综合服务设施覆盖率; the
  plan: urban communities all have one, villages at least 90%).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from simulator.world.divisions import VILLAGE
from simulator.world.events import SATISFIED

if TYPE_CHECKING:
    from simulator.world import World

CITY_SCOPE = "360900"
_OPS = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le}
# code: (name, comparator, target, source of the target)
DEFINITIONS = {
    "event_closure_rate": ("事件办结率", ">=", 0.985, "2020基线"),
    "dispute_resolution_rate": ("矛盾纠纷化解率", ">=", 0.95, "专栏1"),
    "homicide_rate_per_100k": ("十万人命案发案率", "<", 0.65, "专栏1"),
    "hotline_satisfaction_rate": ("12345热线满意率", ">=", 0.96, "专栏1(平安建设满意度指数)"),
    "grid_worker_coverage": ("网格员配备率", ">=", 1.0, "专栏1"),
    "min_grid_workers_per_grid": ("每个网格专(兼)职网格员个数(最少)", ">=", 1, "专栏1"),
    "village_camera_compliance": ("行政村监控点达标率", ">=", 1.0, "规划(行政村至少5个监控点)"),
    "natural_village_camera_compliance": ("自然村路口监控点达标率", ">=", 1.0, "规划(自然村主要路口2个监控点)"),
    "xueliang_coverage": ("\"雪亮工程\"建设覆盖率", ">=", 1.0, "专栏1"),
    "village_grid_coverage": ("村(社区)服务管理网格化体系覆盖率", ">=", 1.0, "专栏1"),
    "service_facility_coverage": ("城乡社区综合服务设施覆盖率", ">=", 0.9, "专栏1"),
}


class _Ratio:
    __slots__ = ("num", "den")

    def __init__(self) -> None:
        self.num = 0
        self.den = 0


def _row(code: str, scope: str, value: float | None, num: float | None, den: float | None,
         start: dt.date, end: dt.date) -> dict:
    name, comparator, target, source = DEFINITIONS[code]
    return {"indicator_code": code, "indicator": name, "scope": scope, "value": value, "target": float(target),
            "comparator": comparator, "is_met": None if value is None else bool(_OPS[comparator](value, target)),
            "numerator": None if num is None else float(num), "denominator": None if den is None else float(den),
            "target_source": source, "period_start": start, "period_end": end}


class EventTally:
    """The event side of the indicators, counted one event at a time (so the events can be tallied while
    they are being written, instead of generating the year twice)."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.at = dt.datetime.combine(as_of, dt.time())
        self.start = as_of - dt.timedelta(days=365)
        self.ratios: dict[tuple[str, str], _Ratio] = defaultdict(_Ratio)
        self.homicides: dict[str, int] = defaultdict(int)
        self.complete = False  # set by whoever fed it the whole year

    def ratio(self, code: str, district: str, num: int, den: int = 1) -> None:
        for scope in (CITY_SCOPE, district):
            r = self.ratios[(code, scope)]
            r.num += num
            r.den += den

    def add(self, e: dict) -> None:
        """One event as seen at the as-of date (kinds grid, dispute, police and hotline count)."""
        if not self.start <= e["reported_at"].date() < self.as_of:
            return
        at = self.at
        d, due = e["district_code"], e["due_at"] <= at
        closed = e["closed_at"] is not None and e["closed_at"] <= at
        if e["kind"] == "grid" and due:
            self.ratio("event_closure_rate", d, closed)
        elif e["kind"] == "dispute" and due:
            self.ratio("dispute_resolution_rate", d, closed and e["outcome"] == "调解成功")
        elif e["kind"] == "police" and e["is_homicide"]:
            self.homicides[CITY_SCOPE] += 1
            self.homicides[d] += 1
        elif e["kind"] == "hotline" and e["evaluated_at"] is not None and e["evaluated_at"] <= at:
            self.ratio("hotline_satisfaction_rate", d, e["satisfaction"] in SATISFIED)


def compute(*, as_of: dt.date, persons_by_district: dict[str, int], grid_workers_by_grid: dict[str, tuple[str, int]],
            villages: Iterable[tuple[str, str, str, int]], plan_points: Iterable[dict], natural_villages: Iterable[tuple[str, str]],
            events: Iterable[dict] | EventTally) -> list[dict]:
    """Indicator rows from plain inputs (so the truth rows can be fed back in):
    ``grid_workers_by_grid``: grid → (district, workers); ``villages``: (code, district, kind, grids,
    has a 综合服务设施);
    ``plan_points``: cameras with is_plan_point; ``natural_villages``: (code, village code);
    ``events``: rows as seen at the as-of date, or an :class:`EventTally` of them."""
    if isinstance(events, EventTally):
        tally = events
    else:
        tally = EventTally(as_of)
        for e in events:
            tally.add(e)
    start = tally.start
    ratios, homicides, add = tally.ratios, tally.homicides, tally.ratio
    min_workers: dict[str, int] = {}
    for grid, (d, n) in grid_workers_by_grid.items():
        add("grid_worker_coverage", d, n >= 1)
        for scope in (CITY_SCOPE, d):
            min_workers[scope] = min(min_workers.get(scope, n), n)
    points: dict[str, int] = defaultdict(int)  # 行政村 code or 自然村 code → plan points
    for c in plan_points:
        if c["is_plan_point"]:
            points[c["natural_village_code"] or c["village_code"]] += 1
    natural_ok: dict[str, bool] = defaultdict(lambda: True)
    village_district = {}
    for code, district, kind, grids, facility in villages:
        village_district[code] = district
        add("village_grid_coverage", district, grids >= 1)
        if kind == VILLAGE:
            add("service_facility_coverage", district, facility)
    for nv, village in natural_villages:
        ok = points[nv] >= 2
        add("natural_village_camera_compliance", village_district[village], ok)
        natural_ok[village] = natural_ok[village] and ok
    for code, district, kind, _grids, _facility in villages:
        if kind == VILLAGE:
            ok = points[code] >= 5
            add("village_camera_compliance", district, ok)
            add("xueliang_coverage", district, ok and natural_ok[code])
    scopes = [CITY_SCOPE] + sorted(persons_by_district)
    rows = []
    for code in DEFINITIONS:
        for scope in scopes:
            persons = sum(persons_by_district.values()) if scope == CITY_SCOPE else persons_by_district[scope]
            if code == "homicide_rate_per_100k":
                n = homicides.get(scope, 0)
                rows.append(_row(code, scope, n / persons * 1e5 if persons else None, n, persons, start, as_of))
            elif code == "min_grid_workers_per_grid":
                v = min_workers.get(scope)
                rows.append(_row(code, scope, v, None, None, start, as_of))
            else:
                r = ratios.get((code, scope))
                rows.append(_row(code, scope, r.num / r.den if r and r.den else None,
                                 r.num if r else 0, r.den if r else 0, start, as_of))
    return rows


def indicators(world: "World", tally: EventTally | None = None) -> list[dict]:
    """Every indicator for the city and each district, computed from the world's entities (``tally``: the
    year's events already counted, else they are generated again)."""
    persons: dict[str, int] = defaultdict(int)
    for g in world.grids:
        persons[g.district_code] += g.persons
    return compute(
        as_of=world.as_of, persons_by_district=dict(persons),
        grid_workers_by_grid={g.grid_code: (g.district_code, len(g.workers)) for g in world.grids},
        villages=[(v.code, v.district_code, v.kind, len(v.grid_codes), v.has_service_facility(world.seed))
                  for v in world.villages],
        plan_points=(c for c in world.cameras() if c["is_plan_point"]),
        natural_villages=[(nv.code, v.code) for v in world.villages for nv in v.natural_villages],
        events=tally if tally is not None else world.event_history(365, ("grid", "dispute", "police", "hotline")),
    )
