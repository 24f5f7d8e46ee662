"""One event timeline for every kind of case the centre sees: grid events, 12345, 110, petitions, disputes,
数字城管, fires, emergencies, online opinion, environmental complaints, civil cases, public-interest leads.

An event's whole life is drawn when it is reported: ``reported_at ≤ dispatched_at ≤ closed_at ≤ evaluated_at``
(later steps may be None: never closed, never evaluated), a deadline ``due_at`` and, for kinds whose
case ends in an outcome, the outcome (disputes: 调解成功/调解不成功). :func:`as_seen` masks the steps that
lie after a moment, which is what a department's system shows at that moment (status and all).

Events are generated per kind and report day from ``Random(f"{seed}/world/events/{kind}/{day}")``: a day's
events never depend on another day's, so any window is streamed without holding more than one day. Counts
scale with the world's persons (rates per person and year below, from the scale guide for 5M people).
Locations: a grid drawn by its persons, one of its rooms' standard addresses, a point near the grid.
"""

from __future__ import annotations

import bisect
import itertools
import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from simulator.world.divisions import point_near

if TYPE_CHECKING:
    from simulator.world import World

SATISFIED = ("满意", "基本满意")


@dataclass(frozen=True)
class EventKind:
    kind: str
    name: str
    department: str  # the source's short code (domain README)
    prefix: str  # event id prefix
    per_person_year: float
    channels: tuple[tuple[str, float], ...]
    categories: tuple[tuple[str, float], ...]  # GB/T 31000-style top-level categories
    deadline_days: float
    closure_rate: float = 0.985  # share closed at all
    overdue_share: float = 0.03  # of the closed: closed after the deadline
    evaluated_share: float = 0.0  # of the closed: evaluated by the reporter
    satisfaction: float = 0.0  # of the evaluated: 满意 or 基本满意
    success_rate: float | None = None  # of the closed: outcome 成功 (disputes)
    urban_weight: float = 1.0  # how much more often an urban grid's persons report this kind


KINDS: dict[str, EventKind] = {k.kind: k for k in (
    EventKind("grid", "网格事件", "zhengfawei", "WG", 0.020,
              (("网格员巡查", 0.7), ("群众上报", 0.2), ("综治中心交办", 0.1)),
              (("矛盾纠纷", 0.22), ("治安隐患", 0.12), ("安全隐患", 0.18), ("环境卫生", 0.16), ("城市管理", 0.1),
               ("民生服务", 0.14), ("特殊人群服务管理", 0.08)), 7, 0.99, 0.03, 0.6, 0.97),
    EventKind("hotline", "12345热线", "shuju", "RX", 0.100,
              (("电话", 0.78), ("网站", 0.06), ("微信", 0.12), ("APP", 0.04)),
              (("城乡建设", 0.22), ("交通运输", 0.1), ("环境保护", 0.09), ("劳动和社会保障", 0.13), ("市场监管", 0.12),
               ("教育", 0.08), ("医疗卫生", 0.08), ("公共安全", 0.06), ("咨询", 0.12)), 5, 0.99, 0.04, 0.7, 0.9772),
    EventKind("police", "110警情", "gongan", "JQ", 0.060,
              (("110电话", 0.9), ("短信报警", 0.03), ("现场报警", 0.07)),
              (("刑事案件", 0.12), ("治安案件", 0.22), ("交通事故", 0.25), ("群众求助", 0.25), ("纠纷", 0.12),
               ("其他", 0.04)), 1, 0.995, 0.02),
    EventKind("petition", "信访件", "xinfang", "XF", 0.004,
              (("来信", 0.2), ("来访", 0.3), ("网上信访", 0.45), ("领导信箱", 0.05)),
              (("城乡建设", 0.3), ("国土资源", 0.2), ("劳动和社会保障", 0.2), ("政法", 0.15), ("其他", 0.15)),
              60, 0.975, 0.05, 0.8, 0.9),
    EventKind("dispute", "人民调解案件", "sifa", "TJ", 0.008,
              (("当事人申请", 0.6), ("调委会主动调解", 0.3), ("移交委托", 0.1)),
              (("婚姻家庭", 0.25), ("邻里纠纷", 0.3), ("房屋宅基地", 0.12), ("合同纠纷", 0.1), ("损害赔偿", 0.1),
               ("劳动争议", 0.08), ("其他", 0.05)), 30, 0.99, 0.03, success_rate=0.975),
    EventKind("urban", "数字城管案件", "chengguan", "CG", 0.030,
              (("信息采集员", 0.7), ("公众举报", 0.2), ("领导交办", 0.1)),
              (("市容环境", 0.35), ("宣传广告", 0.15), ("施工管理", 0.1), ("街面秩序", 0.3), ("突发事件", 0.05),
               ("部件", 0.05)), 3, 0.98, 0.05, urban_weight=4.0),
    EventKind("fire", "火灾", "xiaofang", "HZ", 0.0004, (("119报警", 1.0),),
              (("住宅火灾", 0.45), ("车辆火灾", 0.15), ("企业火灾", 0.15), ("山林火灾", 0.1), ("其他", 0.15)), 1, 1.0, 0.0),
    EventKind("emergency", "突发事件", "yingji", "TF", 0.00005, (("部门报告", 0.7), ("群众报告", 0.3)),
              (("自然灾害", 0.4), ("事故灾难", 0.35), ("公共卫生事件", 0.1), ("社会安全事件", 0.15)), 15, 1.0, 0.05),
    EventKind("opinion", "网络舆情事件", "wangxin", "YQ", 0.002,
              (("微博", 0.3), ("微信", 0.3), ("抖音", 0.25), ("论坛", 0.1), ("新闻网站", 0.05)),
              (("民生诉求", 0.45), ("社会治安", 0.15), ("干部作风", 0.1), ("突发事件", 0.1), ("其他", 0.2)), 3, 0.97, 0.05),
    EventKind("environment", "环境投诉", "shengtai", "HB", 0.003,
              (("12369", 0.5), ("12345转办", 0.4), ("来信来访", 0.1)),
              (("大气污染", 0.35), ("噪声污染", 0.3), ("水污染", 0.2), ("固体废物", 0.1), ("其他", 0.05)), 15, 0.98, 0.05, 0.5, 0.95),
    EventKind("civil", "民商事诉讼案件", "fayuan", "MS", 0.010, (("当事人起诉", 1.0),),
              (("合同纠纷", 0.45), ("婚姻家庭", 0.2), ("侵权责任", 0.15), ("劳动争议", 0.1), ("物权纠纷", 0.1)), 180, 0.97, 0.08),
    EventKind("public_interest", "公益诉讼线索", "jianchayuan", "GY", 0.0002,
              (("履职发现", 0.6), ("群众举报", 0.3), ("部门移送", 0.1)),
              (("生态环境和资源保护", 0.5), ("食品药品安全", 0.3), ("国有财产保护", 0.1), ("国有土地使用权出让", 0.1)), 90, 0.9, 0.1),
)}
HOMICIDE_PER_100K = 0.45  # a year; the plan's target is < 0.65
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 7, 8, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2)
_HOURS = tuple(range(24))
_HOUR_CUM = tuple(itertools.accumulate(_HOUR_WEIGHTS))


def kinds(world: "World") -> dict[str, EventKind]:
    """The event kinds with the world's overrides (``WorldConfig.events``) applied."""
    out = dict(KINDS)
    for name, fields in world.config.events.items():
        if name not in out:
            raise ValueError(f"unknown event kind {name!r}")
        out[name] = replace(out[name], **fields)
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _seconds(t: dt.datetime) -> dt.datetime:
    return t.replace(microsecond=0)


@lru_cache(maxsize=256)
def _cumulative(table: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(v for v, _ in table), tuple(itertools.accumulate(w for _, w in table))


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    values, cum = _cumulative(table)
    return rng.choices(values, cum_weights=cum)[0]


def events_on(world: "World", kind: str, day: dt.date) -> Iterator[dict]:
    """Every event of ``kind`` reported on ``day``, with its whole (future) lifecycle."""
    k = kinds(world)[kind]
    rng = random.Random(f"{world.seed}/world/events/{kind}/{day.isoformat()}")
    weights = world.report_weights(k.urban_weight)
    n = _poisson(rng, world.persons * k.per_person_year / 365)
    homicide_p = HOMICIDE_PER_100K / 1e5 / k.per_person_year if kind == "police" else 0.0
    midnight = dt.datetime.combine(day, dt.time())
    for seq in range(1, n + 1):
        info = world.grids[bisect.bisect_right(weights, rng.random() * weights[-1])]
        place = rng.choice(info.places) if info.places else None
        lat, lon = point_near(rng, info.district_code, info.lat, info.lon, 0.003)
        hour = rng.choices(_HOURS, cum_weights=_HOUR_CUM)[0]
        reported = midnight + dt.timedelta(hours=hour, seconds=rng.randrange(3600))
        dispatched = reported + dt.timedelta(seconds=1 + int(rng.expovariate(1 / (300 if kind == "police" else 5400))))
        due = reported + dt.timedelta(days=k.deadline_days)
        closed = evaluated = None
        outcome = satisfaction = None
        if rng.random() < k.closure_rate:
            span = (dispatched - reported) + dt.timedelta(days=k.deadline_days)
            if rng.random() < k.overdue_share:
                closed = _seconds(due + span * rng.uniform(0.05, 1.0))
            else:
                closed = _seconds(dispatched + (due - dispatched) * rng.betavariate(2, 3))
            if k.success_rate is not None:
                outcome = "调解成功" if rng.random() < k.success_rate else "调解不成功"
            if rng.random() < k.evaluated_share:
                evaluated = closed + dt.timedelta(seconds=rng.randint(3600, 72 * 3600))
                satisfaction = (rng.choice(SATISFIED) if rng.random() < k.satisfaction else "不满意")
        category = _pick(rng, k.categories)
        is_homicide = category == "刑事案件" and rng.random() < homicide_p / 0.12
        yield {
            "event_id": f"{k.prefix}{day:%Y%m%d}{seq:06d}", "kind": kind, "kind_name": k.name,
            "department": k.department, "channel": _pick(rng, k.channels), "category": category,
            "subcategory": "故意杀人" if is_homicide else None, "is_homicide": is_homicide,
            "district_code": info.district_code, "township_code": info.township_code + "000",
            "village_code": info.village_code, "grid_code": info.grid_code,
            "address": place.address if place else None, "house_id": place.house_id if place else None,
            "lat": lat, "lon": lon,
            "reported_at": reported, "dispatched_at": dispatched, "due_at": due, "closed_at": closed,
            "evaluated_at": evaluated, "outcome": outcome, "satisfaction": satisfaction,
        }


def status(event: dict, at: dt.datetime) -> str:
    if event["evaluated_at"] is not None and event["evaluated_at"] <= at:
        return "已评价"
    if event["closed_at"] is not None and event["closed_at"] <= at:
        return "已办结"
    if event["dispatched_at"] <= at:
        return "已派遣"
    return "已上报"


def as_seen(event: dict, at: dt.datetime) -> dict:
    """The event as its department's system shows it at ``at``: later steps blank, status and overdue as of then."""
    seen = dict(event)
    for step in ("dispatched_at", "closed_at", "evaluated_at"):
        if seen[step] is not None and seen[step] > at:
            seen[step] = None
    if seen["closed_at"] is None:
        seen["outcome"] = None
    if seen["evaluated_at"] is None:
        seen["satisfaction"] = None
    seen["status"] = status(event, at)
    end = seen["closed_at"] or at
    seen["is_overdue"] = end > seen["due_at"]
    return seen


def history(world: "World", start: dt.date, end: dt.date, kinds_: tuple[str, ...] | None = None,
            at: dt.datetime | None = None) -> Iterator[dict]:
    """Events reported in [start, end), day by day and kind by kind, as seen at ``at`` (default: the world's
    as-of date at midnight, i.e. the end of the day before it)."""
    at = at or dt.datetime.combine(world.as_of, dt.time())
    names = kinds_ or tuple(KINDS)
    day = start
    while day < end:
        for kind in names:
            for e in events_on(world, kind, day):
                yield as_seen(e, at)
        day += dt.timedelta(days=1)


def updates_on(world: "World", day: dt.date, kinds_: tuple[str, ...] | None = None) -> Iterator[dict]:
    """The day's delta: events reported, dispatched, closed or evaluated on ``day``, as seen at its end."""
    at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    start_of_day = at - dt.timedelta(days=1)
    all_kinds = kinds(world)
    for kind in kinds_ or tuple(KINDS):
        k = all_kinds[kind]
        reach = int(k.deadline_days * 2 + 5)  # latest step: overdue closing (< 2 deadlines) + 3 days to evaluate
        for back in range(reach, -1, -1):
            for e in events_on(world, kind, day - dt.timedelta(days=back)):
                steps = [e["reported_at"], e["dispatched_at"], e["closed_at"], e["evaluated_at"]]
                if any(s is not None and start_of_day <= s < at for s in steps):
                    yield as_seen(e, at)
