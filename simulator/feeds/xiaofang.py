"""消防救援支队 (GBK CSV): 火灾 — the world's fires (delta: the year, then each day's new and updated fires) —
and 消防安全重点单位 — the world's organisations and schools flagged as fire-safety key units (full register).

Both are drawn from the one world so the warehouse can link them: a fire keeps the world's event id, time,
place and division; a fire in an enterprise names that enterprise's 统一社会信用代码 (one of the grid's real
enterprises); a key unit is the world's organisation with its own credit code, address and legal
representative (the 消防安全责任人 by law, 《机关、团体、企业、事业单位消防安全管理规定》 art. 4).

Also home to two helpers the other event feeds share: :func:`event_window` (the full load's year or a
delta day's updates, and the moment they are seen at) and :func:`walk_grid_orgs` (the organisations of
only the grids asked for, one grid at a time, so a 5M city's register is never held in memory).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator

from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import as_written, damage, mutation, reported_day
from simulator.world import events as world_events
from simulator.world import orgs as world_orgs
from simulator.world.persons import phone

TS = "%Y-%m-%d %H:%M"  # the 接处警 system's own form: minutes, no seconds
DATE = "%Y-%m-%d"


# ---- shared by the world's event feeds (消防, 应急, 生态环境, 信访) --------------------------------------------

def event_window(wctx: WorldContext, kind: str) -> tuple[Iterable[dict], dt.datetime]:
    """The events a delta-mode department file carries: on day 0 the year before the as-of date as seen at
    its midnight; the file dated ``as_of + d`` the events reported, dispatched, closed or evaluated on the day
    before it, as seen at its midnight (the morning export of yesterday's work: the days chain without a gap,
    as 城管, 法院 and 检察院 do)."""
    world = wctx.world
    if wctx.day == 0:
        return world.event_history(365, kinds=(kind,)), dt.datetime.combine(wctx.as_of, dt.time())
    seen_at = dt.datetime.combine(wctx.date, dt.time())
    return world_events.updates_on(world, wctx.date - dt.timedelta(days=1), (kind,)), seen_at


def walk_grid_orgs(world, grid_codes: set[str]) -> Iterator[tuple[str, list[dict]]]:
    """(grid code, its organisations) for the grids asked for, in the world's order. Organisations are
    regenerated from the seed grid by grid (``simulator.world.orgs.grid_orgs``): only one grid's are alive."""
    for index, info in enumerate(world.grids):
        if info.grid_code in grid_codes:
            yield info.grid_code, list(world_orgs.grid_orgs(world, info, index))


def pick_orgs(world, wanted: dict[str, list[tuple[str, object]]], choose) -> dict[str, dict | None]:
    """For each event key listed under its grid, ``choose(event_key, orgs_of_grid)`` → the organisation it
    names (or None). Returns {event key: org}; each grid's organisations are generated once."""
    picked: dict[str, dict | None] = {}
    for grid_code, orgs in walk_grid_orgs(world, set(wanted)):
        for key, what in wanted[grid_code]:
            picked[key] = choose(key, what, orgs)
    return picked


def ts(value: dt.datetime | None, fmt: str) -> str:
    return "" if value is None else value.strftime(fmt)


# ---- 火灾 ----------------------------------------------------------------------------------------------------

# The world's fire categories in the brigade's 起火场所 code list (公安部《火灾统计管理规定》 场所分类, abridged).
PLACE = {"住宅火灾": "住宅", "车辆火灾": "交通工具", "企业火灾": "厂房仓库", "山林火灾": "草地林地"}
CROWDED_INDUSTRIES = ("批发和零售业", "住宿和餐饮业", "文化、体育和娱乐业")  # a fire there is 人员密集场所
# 起火原因 by place (national statistics: electrical ≈ 30%, careless use of fire ≈ 20% …)
CAUSES = {
    "住宅": (("电气", 40), ("用火不慎", 25), ("吸烟", 8), ("玩火", 4), ("自燃", 3), ("放火", 1), ("不明", 12), ("其他", 7)),
    "交通工具": (("电气", 45), ("自燃", 30), ("放火", 2), ("不明", 15), ("其他", 8)),
    "厂房仓库": (("电气", 40), ("生产作业", 25), ("用火不慎", 10), ("吸烟", 5), ("自燃", 5), ("不明", 10), ("其他", 5)),
    "人员密集场所": (("电气", 45), ("用火不慎", 25), ("吸烟", 10), ("不明", 12), ("其他", 8)),
    "草地林地": (("用火不慎", 45), ("吸烟", 10), ("玩火", 10), ("雷击", 5), ("放火", 2), ("不明", 20), ("其他", 8)),
    "垃圾及废弃物": (("用火不慎", 40), ("吸烟", 25), ("玩火", 10), ("自燃", 10), ("不明", 15)),
    "其他": (("电气", 25), ("用火不慎", 25), ("吸烟", 10), ("不明", 25), ("其他", 15)),
}
WRONG_PLACE = ("居民住宅", "住宅火灾", "厂房", "车辆", "9")
WRONG_CAUSE = ("电气故障", "线路老化", "人为", "01")


def huozai_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    events, _seen_at = event_window(wctx, "fire")
    events = list(events)  # a year of fires: ~2,000 in a 5M city
    wanted: dict[str, list] = {}
    for e in events:
        if e["category"] == "企业火灾":
            wanted.setdefault(e["grid_code"], []).append((e["event_id"], None))

    def burning_firm(key: str, _what, orgs: list[dict]) -> dict | None:
        firms = [o for o in orgs if o["category"] == "enterprise" and o["status"] == "存续"]
        return random.Random(f"{world.seed}/huozai/org/{key}").choice(firms) if firms else None

    firm = pick_orgs(world, wanted, burning_firm)
    recs = []
    for e in events:
        er = random.Random(f"{world.seed}/huozai/{e['event_id']}")  # the same fire re-sent keeps its facts
        org = firm.get(e["event_id"])
        place = PLACE.get(e["category"]) or er.choice(("垃圾及废弃物", "其他"))
        if org is not None and org["industry"] in CROWDED_INDUSTRIES:
            place = "人员密集场所"
        village = world.village_by_code.get(e["village_code"])
        if place == "草地林地" and village is not None:
            location = f"{village.name}附近山林"
        elif org is not None and org["address"]:
            location = org["address"]
        else:
            location = e["address"] or (village.name if village else "")
        cause = er.choices(*zip(*CAUSES[place]))[0]
        deaths = er.choices((0, 1, 2), weights=(985, 12, 3))[0] if place in ("住宅", "人员密集场所") else 0
        injuries = er.choices((0, 1, 2, 3), weights=(900, 70, 20, 10))[0]
        loss = er.choice((200, 500, 1200, 3000, 8000, 20000, 60000, 150000)) * (3 if org else 1)
        closed = e["closed_at"]  # extinguished: the world's closing step of a fire, blank until it happens
        recs.append(Record(values={
            "fire_id": e["event_id"], "alarm_at": ts(e["reported_at"], TS), "location": location,
            "division_code": e["district_code"], "place_type": place,
            # Cause, casualties and loss are known once the fire is out (the 火灾调查 fills them in).
            "cause": cause if closed else "", "deaths": str(deaths) if closed else "",
            "injuries": str(injuries) if closed else "", "loss": f"{loss:.2f}" if closed else "",
            "unit_uscc": org["uscc"] if org else "", "extinguished_at": ts(closed, TS),
        }, entity_key=e["event_id"], context=e))

    def eligible(kind: str, column: str, rec: Record) -> bool:
        return bool(rec.values[column]) or kind == "missing_required"

    mutate = mutation(rng, "火灾", wrong={"place_type": WRONG_PLACE, "cause": WRONG_CAUSE},
                      true_date=reported_day, env=st.env)
    damage(recs, st.defects, rng, mutate, eligible)
    return iter(recs)


# ≈97% valid (errors: an unparseable 接警时间, a 起火场所 outside the code list, a missing 起火地点;
# division, cause and credit code are warnings).
HUOZAI_DEFECTS = FeedDefects(
    rates={"bad_date": 0.010, "wrong_code": 0.015, "missing_required": 0.010, "bad_division": 0.010,
           "bad_uscc": 0.010},
    columns={"bad_date": ("alarm_at",), "wrong_code": ("place_type", "cause"), "missing_required": ("location",),
             "bad_division": ("division_code",), "bad_uscc": ("unit_uscc",)},
)


# ---- 消防安全重点单位 ------------------------------------------------------------------------------------------

def unit_type(org: dict) -> str:
    """The brigade's 重点单位类别 of a world organisation (《消防安全重点单位界定标准》, abridged)."""
    if org["category"] == "school":
        return "学校"
    if org["is_hazardous_chemical"]:
        return "易燃易爆单位"
    name, industry = org["name"], org["industry"]
    if name.endswith("养老院"):
        return "养老机构"
    if name.endswith("幼儿园"):
        return "学校"
    return {"制造业": "劳动密集型企业", "批发和零售业": "商场市场", "住宿和餐饮业": "宾馆饭店",
            "文化、体育和娱乐业": "公共娱乐场所", "房地产业": "高层公共建筑"}.get(industry, "其他")


FLOOR_AREA = {"学校": (4000, 30000), "易燃易爆单位": (2000, 20000), "劳动密集型企业": (3000, 40000),
              "商场市场": (1000, 20000), "宾馆饭店": (2000, 15000), "公共娱乐场所": (500, 5000),
              "高层公共建筑": (10000, 80000), "养老机构": (800, 6000), "其他": (500, 8000)}
RESULTS = (("合格", 80), ("责令改正", 17), ("罚款", 2), ("临时查封", 1))
WRONG_UNIT_TYPE = ("重点单位", "企业", "学校单位", "1")
WRONG_RESULT = ("通过", "不合格", "已整改")


def key_units(world) -> Iterator[dict]:
    """The world's fire-safety key units: flagged enterprises and social organisations, then every school."""
    for o in world.orgs():
        if o["is_fire_key_unit"]:
            yield o
    for school, _students in world.schools():
        if school["is_fire_key_unit"]:
            yield school


def zhongdian_danwei_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng, env = wctx.world, st.rng, st.env
    recs = []
    for o in key_units(world):
        # Drawn per unit from its own stream: the monthly snapshot repeats the same facts.
        ur = random.Random(f"{world.seed}/xiaofang/unit/{o['uscc']}")
        kind = unit_type(o)
        low, high = FLOOR_AREA[kind]
        inspected = env.as_of - dt.timedelta(days=ur.randint(15, 330))
        recs.append(Record(values={
            "uscc": o["uscc"], "name": o["name"], "unit_type": kind, "address": o["address"] or "",
            "division_code": o["district_code"], "fire_officer": o["legal_rep_name"],
            "fire_officer_phone": phone(ur), "floor_area": f"{ur.randint(low, high):.2f}",
            "inspected_date": inspected.strftime(DATE),
            "inspection_result": ur.choices(*zip(*RESULTS))[0],
        }, entity_key=o["uscc"], context=o))

    mutate = mutation(rng, "消防安全重点单位", wrong={"unit_type": WRONG_UNIT_TYPE, "inspection_result": WRONG_RESULT},
                      true_date=as_written(DATE), env=env)
    damage(recs, st.defects, rng, mutate)
    return iter(recs)


# A register kept by hand at the brigades: ≈91% valid (errors: credit code, 单位类别, division, a missing
# 责任人 or address, an impossible inspection date, duplicates). The monthly export is sometimes cut off:
# 5% of files lose the second half of their last line (the reader quarantines it).
ZHONGDIAN_DEFECTS = FeedDefects(
    rates={"bad_uscc": 0.020, "wrong_code": 0.020, "bad_division": 0.010, "missing_required": 0.020,
           "bad_phone": 0.030, "bad_date": 0.015, "duplicate": 0.010, "truncated_last_line": 0.05},
    columns={"bad_uscc": ("uscc",), "wrong_code": ("unit_type", "inspection_result"),
             "bad_division": ("division_code",), "missing_required": ("fire_officer", "address"),
             "bad_phone": ("fire_officer_phone",), "bad_date": ("inspected_date",), "duplicate": ("uscc",)},
)


FEEDS = (
    FeedSpec("xiaofang.huozai", world_records=huozai_records, date_format=DATE, timestamp_format=TS,
             delivery_mode="delta", defects=HUOZAI_DEFECTS),
    FeedSpec("xiaofang.zhongdian_danwei", world_records=zhongdian_danwei_records, date_format=DATE,
             delivery_mode="full", defects=ZHONGDIAN_DEFECTS),
)
