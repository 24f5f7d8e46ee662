"""城管局 数字城管案件 (paged REST API, ``since=`` on ``updatetime``): the world's "urban" events.

The full load serves the year of cases before the as-of date as the 数字城管 platform shows them at the
as-of date; each delta day d serves the cases reported or moved on (立案 → 派遣 → 结案) during the day
before it, as seen at the end of that day, with the later update time — so an incremental puller
(``since=`` its last watermark) gets exactly the day's changes. Cases keep the world's event ids, grid
codes, standard addresses and points, so the warehouse joins them to the grids and the other event feeds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.world import events as world_events

TS = "%Y-%m-%d %H:%M:%S"
CHUNK = 2_000  # events damaged together: the defect plan is stratified per chunk, memory stays bounded

# The world's urban categories are the 数字城管 事件 大类 (GB/T 30428.2); its "部件" cases are 部件 大类.
MINOR = {
    "市容环境": ("暴露垃圾", "积存垃圾渣土", "道路不洁", "乱堆物堆料", "违章接坡"),
    "宣传广告": ("非法小广告", "违规张贴悬挂广告", "占道广告牌"),
    "施工管理": ("施工扰民", "工地扬尘", "施工废弃料", "道路遗撒"),
    "街面秩序": ("占道经营", "无照经营游商", "店外经营", "机动车乱停放", "非机动车乱停放"),
    "突发事件": ("路面塌陷", "道路积水", "井盖缺失", "树木倒伏"),
}
PARTS = {"公用设施": ("上水井盖", "污水井盖", "路灯", "消防栓"), "道路交通": ("交通护栏", "交通标志牌", "隔离墩"),
         "园林绿化": ("行道树", "绿地护栏", "花坛"), "市容环境": ("垃圾箱", "公厕", "广告牌匾")}
SOURCE = {"信息采集员": "监督员上报", "公众举报": "公众举报", "领导交办": "领导交办"}
STATUS = {"已上报": "立案", "已派遣": "派遣", "已办结": "结案", "已评价": "结案"}
UNITS = {"市容环境": "环卫所", "宣传广告": "市容执法中队", "施工管理": "渣土办", "街面秩序": "城管执法中队",
         "突发事件": "市政设施管护所", "公用设施": "市政设施管护所", "道路交通": "交警大队", "园林绿化": "园林绿化所"}
WRONG_STATUS = ("已结案", "办结", "处理中", "5")


def ts(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime(TS)


def seen_events(wctx: WorldContext, kind: str) -> tuple[Iterable[dict], dt.datetime]:
    """The events a platform serves on this day, and the moment it shows them at.

    Day 0: the year before the as-of date, seen at its midnight. Delta day d: the events reported or moved
    during the day before ``as_of + d`` (``updates_on``), seen at ``as_of + d`` midnight — so the days
    follow each other without a gap and every lifecycle step is served on the day it happens."""
    world = wctx.world
    if wctx.day == 0:
        return world.event_history(365, kinds=(kind,)), dt.datetime.combine(wctx.as_of, dt.time())
    return (world_events.updates_on(world, wctx.date - dt.timedelta(days=1), (kind,)),
            dt.datetime.combine(wctx.date, dt.time()))


def updated_at(e: dict) -> dt.datetime:
    """The last lifecycle step the platform has seen (``as_seen`` blanks the later ones)."""
    return max(t for t in (e["reported_at"], e["dispatched_at"], e["closed_at"], e["evaluated_at"]) if t is not None)


def chunked(events: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for e in events:
        batch.append(e)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def anjian_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    events, _seen_at = seen_events(wctx, "urban")
    for batch in chunked(events):
        recs = []
        for e in batch:
            # drawn per case (its own stream), so a re-sent version names the same category and source
            er = random.Random(f"{world.seed}/chengguan/{e['event_id']}")
            is_part = e["category"] == "部件"
            major = er.choice(sorted(PARTS)) if is_part else e["category"]
            minor = er.choice(PARTS[major] if is_part else MINOR.get(major, ("其他",)))
            source = SOURCE.get(e["channel"], "公众举报")
            if source == "监督员上报" and er.random() < 0.1:
                source = "视频发现"
            elif source == "公众举报" and er.random() < 0.4:
                source = "12345转办"
            recs.append(Record(values={
                "case_id": e["event_id"], "case_class": "部件" if is_part else "事件", "major_category": major,
                "minor_category": minor, "source": source, "reported_at": ts(e["reported_at"]),
                "address": e["address"] or "", "division_code": e["district_code"], "grid_code": e["grid_code"],
                "lon": f"{e['lon']:.6f}", "lat": f"{e['lat']:.6f}",
                "handling_unit": UNITS.get(major, "城管执法中队") if e["dispatched_at"] is not None else "",
                "closed_at": ts(e["closed_at"]), "status": STATUS[e["status"]],
                "is_overdue": "1" if e["is_overdue"] else "0", "updated_at": ts(updated_at(e)),
            }, entity_key=e["event_id"], context=e))

        def mutate(kind: str, column: str, rec: Record) -> str:
            if kind == "bad_date":
                return defects.bad_date(rec.context["reported_at"].date(), st.env, rng)
            if kind == "wrong_code":
                return rng.choice(WRONG_STATUS)
            if kind == "bad_division":
                return defects.bad_division(rng)
            if kind == "missing_required":
                return ""
            raise ValueError(f"defect {kind} does not apply to 数字城管案件")

        damage(recs, st.defects, rng, mutate)
        yield from recs


FEEDS = (
    # ≈97.5% valid at these rates (an event feed of a platform with input checks; 区域代码 is a warning).
    FeedSpec("chengguan.anjian", world_records=anjian_records, timestamp_format=TS,
             defects=FeedDefects(
                 rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.005, "bad_division": 0.010},
                 columns={"bad_date": ("reported_at",), "wrong_code": ("status",),
                          "missing_required": ("major_category",), "bad_division": ("division_code",)})),
)
