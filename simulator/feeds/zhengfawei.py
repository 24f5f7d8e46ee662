"""政法委 网格化服务管理平台 (REST API): the world's grids (网格), grid workers (网格员) and grid events (网格事件).

Grids and workers do not change on delta days in the world yet, so the API publishes them on day 0 only.
Grid events are the world's "grid" events: the full load serves the year before the as-of date as the
platform shows it then; each delta day the events reported or moved on during the day before, with their
later update time (``since=`` pulls get exactly the day's changes). Events keep the world's ids, grid codes
and standard addresses; the reporter of a patrol find is one of the grid's own workers, the party of a
dispute one of the grid's residents.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds.chengguan import chunked, seen_events, ts, updated_at
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage, mutation, reported_day

TS = "%Y-%m-%d %H:%M:%S"
GRID_TYPES = {True: "城市社区网格", False: "农村网格"}
WRONG_GRID_TYPES = ("社区网格", "村网格", "3", "其他")
WORKER_TYPES = {"专职网格员": "专职", "兼职网格员": "兼职"}
WRONG_SEX = ("男", "女", "0", "9")


def _updated(st: FeedState) -> str:
    return defects.healthy_timestamp(st.env, st.rng).strftime(TS)


def wangge_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    if wctx.day > 0:
        return iter(())
    world, rng = wctx.world, st.rng
    recs = []
    for g in world.grids:
        village = world.village_by_code[g.village_code]
        area = rng.uniform(0.15, 0.8) if g.is_urban else rng.uniform(2.0, 15.0)
        recs.append(Record(values={
            "grid_code": g.grid_code, "grid_name": f"{village.name}第{int(g.grid_std_code[-3:])}网格",
            "grid_type": GRID_TYPES[g.is_urban], "village_code": g.village_code, "division_code": g.district_code,
            "household_count": str(g.households), "population": str(g.persons), "area_km2": f"{area:.2f}",
            "is_active": "1", "updated_at": _updated(st),
        }, entity_key=g.grid_code, context=g))

    damage(recs, st.defects, rng, mutation(rng, "网格", wrong=WRONG_GRID_TYPES))
    return iter(recs)


def wanggeyuan_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    if wctx.day > 0:
        return iter(())
    rng, env = st.rng, st.env
    recs = []
    for w in wctx.world.grid_workers():
        recs.append(Record(values={
            "worker_id": w["worker_id"], "id_number": w["id_number"], "name": w["name"],
            "sex": "1" if w["sex"] == "男" else "2", "phone": w["phone"], "grid_code": w["grid_code"],
            "worker_type": WORKER_TYPES[w["role"]], "appointed_date": w["start_date"].strftime("%Y-%m-%d"),
            "is_active": "在岗", "updated_at": _updated(st),
        }, entity_key=w["person_key"] or w["id_number"], context=w))

    def eligible(kind: str, column: str, rec: Record) -> bool:
        # a first-generation number exists only for people born before the 18-digit numbers (1999)
        return kind != "legacy_15_digit" or rec.context["birth_date"].year < 1985

    mutate = mutation(rng, "网格员", wrong=WRONG_SEX, env=env, true_date=lambda rec, col: rec.context["start_date"])
    damage(recs, st.defects, rng, mutate, eligible)
    return iter(recs)


# ---- 网格事件 ----------------------------------------------------------------------------------------

# The world's grid-event categories in the platform's own code list (城市管理 cases it files under 其他).
EVENT_TYPES = {"矛盾纠纷": "矛盾纠纷", "治安隐患": "治安隐患", "安全隐患": "安全隐患", "环境卫生": "环境卫生",
               "城市管理": "其他", "民生服务": "民生服务", "特殊人群服务管理": "特殊人群"}
WRONG_EVENT_TYPES = ("纠纷", "安全生产", "城市管理", "9")
DESCRIPTIONS = {
    "矛盾纠纷": ("邻里因通道占用发生争执", "家庭成员因赡养问题产生矛盾", "租户与房东因押金退还发生纠纷"),
    "治安隐患": ("出租屋人员流动频繁需核查", "夜间有可疑人员逗留", "小区门禁损坏"),
    "安全隐患": ("楼道堆放杂物堵塞消防通道", "电动车在楼道内充电", "燃气管道老化"),
    "环境卫生": ("垃圾清运不及时", "生活污水外溢", "卫生死角积存垃圾"),
    "城市管理": ("占道经营", "违规搭建雨棚", "乱停乱放"),
    "民生服务": ("独居老人需上门探访", "申请办理居住证咨询", "困难家庭救助申请"),
    "特殊人群服务管理": ("社区矫正对象日常走访", "严重精神障碍患者随访", "刑满释放人员帮教走访"),
}
PARTY_TYPES = ("矛盾纠纷", "民生服务")


def wangge_shijian_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng, env = wctx.world, st.rng, st.env
    events, _seen_at = seen_events(wctx, "grid")
    for batch in chunked(events):
        recs = []
        for e in batch:
            # drawn per event (its own stream), so every version names the same reporter, party and words
            er = random.Random(f"{world.seed}/wangge_shijian/{e['event_id']}")
            grid = world.grid_by_code[e["grid_code"]]
            village = world.village_by_code[grid.village_code]
            reporter = er.choice(grid.workers)["worker_id"] if grid.workers and e["channel"] == "网格员巡查" else ""
            party = er.choice(grid.adults) if grid.adults and e["category"] in PARTY_TYPES else None
            closed = e["closed_at"] is not None
            resolved = ("1" if er.random() < 0.97 else "0") if closed and e["category"] == "矛盾纠纷" else ""
            recs.append(Record(values={
                "event_id": e["event_id"], "title": f"{village.name}{e['category']}",
                "event_type": EVENT_TYPES[e["category"]], "reported_at": ts(e["reported_at"]),
                "reporter_id": reporter, "grid_code": e["grid_code"], "division_code": e["district_code"],
                "location": e["address"] or "", "description": er.choice(DESCRIPTIONS[e["category"]]),
                "party_name": party.name if party else "", "party_phone": party.phone if party else "",
                "dispatched_at": ts(e["dispatched_at"]), "deadline": ts(e["due_at"]), "closed_at": ts(e["closed_at"]),
                "status": e["status"], "is_resolved": resolved, "satisfaction": e["satisfaction"] or "",
                "updated_at": ts(updated_at(e)),
            }, entity_key=e["event_id"], context=e))

        def eligible(kind: str, column: str, rec: Record) -> bool:
            return kind != "bad_phone" or bool(rec.values[column])

        mutate = mutation(rng, "网格事件", wrong=WRONG_EVENT_TYPES, true_date=reported_day, env=env)
        damage(recs, st.defects, rng, mutate, eligible)
        yield from recs


FEEDS = (
    FeedSpec("zhengfawei.wangge", world_records=wangge_records, timestamp_format=TS, delivery_mode="delta"),
    FeedSpec("zhengfawei.wanggeyuan", world_records=wanggeyuan_records, timestamp_format=TS, delivery_mode="delta"),
    # ≈97.5% valid at these rates (the platform checks its forms; phone and division are warnings).
    FeedSpec("zhengfawei.wangge_shijian", world_records=wangge_shijian_records, timestamp_format=TS,
             defects=FeedDefects(
                 rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.005, "bad_phone": 0.020,
                        "bad_division": 0.010},
                 columns={"bad_date": ("reported_at",), "wrong_code": ("event_type",),
                          "missing_required": ("title",), "bad_phone": ("party_phone",),
                          "bad_division": ("division_code",)})),
)
