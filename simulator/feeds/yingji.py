"""应急管理局 (GBK CSV): 突发事件 — the world's emergencies (delta: the year, then each day's new and updated
events) — and 危化企业 — the world's enterprises flagged as hazardous-chemical firms (weekly full register).

An emergency keeps the world's event id, category (the four classes of the 《突发事件应对法》 are the
world's own), times and division; its reporter is one of the grid's 网格员 when the report came from the
township (部门报告) and a resident of the grid when a citizen called it in. A 危化企业 is the world's
enterprise with ``is_hazardous_chemical`` (chemical, new-energy materials, gas and fuel trading firms still
in business), under its own credit code, name and address.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import as_written, damage, mutation, reported_day
from simulator.feeds.xiaofang import event_window, ts
from simulator.world.persons import name as person_name
from simulator.world.persons import phone

TS = "%Y/%m/%d %H:%M"  # the 应急指挥 system's export form
DATE = "%Y/%m/%d"

# ---- 突发事件 ------------------------------------------------------------------------------------------------

SUB_TYPES = {  # 《国家突发公共事件总体应急预案》 classes and the types Yichun sees
    "自然灾害": (("洪涝灾害", 40), ("地质灾害", 20), ("气象灾害", 25), ("森林火灾", 15)),
    "事故灾难": (("生产安全事故", 35), ("道路交通事故", 35), ("火灾事故", 15), ("环境污染事件", 10), ("特种设备事故", 5)),
    "公共卫生事件": (("传染病疫情", 45), ("食物中毒", 45), ("职业中毒", 10)),
    "社会安全事件": (("群体性事件", 60), ("重大刑事案件", 25), ("涉外突发事件", 15)),
}
LEVELS = (("一般", 900), ("较大", 80), ("重大", 18), ("特别重大", 2))
WRONG_CATEGORY = ("事故", "自然灾害类", "安全生产", "4")
WRONG_LEVEL = ("IV级", "一般事件", "轻微", "4")


def tufa_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    events, _seen_at = event_window(wctx, "emergency")
    recs = []
    for e in events:
        er = random.Random(f"{world.seed}/tufa/{e['event_id']}")  # a re-sent event keeps its facts
        sub_type = er.choices(*zip(*SUB_TYPES[e["category"]]))[0]
        level = er.choices(*zip(*LEVELS))[0]
        township = world.township_by_code.get(e["township_code"][:9])
        village = world.village_by_code.get(e["village_code"])
        where = f"{township.name if township else ''}{village.name if village else ''}"
        info = world.grid_by_code[e["grid_code"]]
        if e["channel"] == "部门报告" and info.workers:
            reporter = er.choice(info.workers)
            who, tel = reporter["name"], reporter["phone"]
        elif info.adults:
            resident = er.choice(info.adults)
            who, tel = resident.name, resident.phone or phone(er)
        else:  # a grid nobody adult lives in: a passer-by
            who, tel = person_name(er, er.random() < 0.5), phone(er)
        scale = {"一般": 1, "较大": 4, "重大": 12, "特别重大": 40}[level]
        closed = e["closed_at"]
        updated = max(t for t in (e["reported_at"], e["dispatched_at"], closed) if t is not None)
        recs.append(Record(values={
            "event_id": e["event_id"], "title": f"{where}{sub_type}", "category": e["category"], "sub_type": sub_type,
            "level": level,
            # it happened before it was reported: minutes for accidents, hours for a flood building up
            "occurred_at": ts(e["reported_at"] - dt.timedelta(minutes=er.randint(5, 240)), TS),
            "location": e["address"] or where, "division_code": e["district_code"],
            "deaths": str(er.choices((0, 1, 2, 3), weights=(90, 6, 3, 1))[0] * (scale > 1)),
            "injuries": str(er.choices((0, 1, 2, 5), weights=(70, 15, 10, 5))[0] * scale),
            "loss": f"{er.choice((0.5, 2, 5, 12, 30, 80)) * scale:.2f}", "reporter": who, "reporter_phone": tel,
            "status": "已处置" if closed else "处置中", "updated_at": ts(updated, TS),
        }, entity_key=e["event_id"], context=e))

    mutate = mutation(rng, "突发事件", wrong={"category": WRONG_CATEGORY, "level": WRONG_LEVEL},
                      true_date=reported_day, env=st.env)
    damage(recs, st.defects, rng, mutate)
    return iter(recs)


# ≈97% valid (errors: an unparseable 发生时间, a class or level outside the code lists, a missing 事件名称;
# division and phone are warnings).
TUFA_DEFECTS = FeedDefects(
    rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.010, "bad_division": 0.010,
           "bad_phone": 0.020},
    columns={"bad_date": ("occurred_at",), "wrong_code": ("category", "level"), "missing_required": ("title",),
             "bad_division": ("division_code",), "bad_phone": ("reporter_phone",)},
)


# ---- 危化企业 ------------------------------------------------------------------------------------------------

# 危险化学品企业类型 by what the firm does (its name's trade word in the world).
ACTIVITIES = {"化工": (("生产", 70), ("储存", 10), ("使用", 20)), "新能源材料": (("生产", 40), ("使用", 60)),
              "燃气": (("经营（带储存）", 80), ("储存", 20)),
              "油品销售": (("经营（带储存）", 60), ("经营（不带储存）", 40))}
HAZARD_LEVELS = (("一级", 5), ("二级", 15), ("三级", 35), ("四级", 45))
WRONG_ACTIVITY = ("生产企业", "经营", "批发", "1")
WRONG_HAZARD_LEVEL = ("1级", "一类", "高", "IV")


def _license(activity: str, issued: dt.date, serial: int) -> str:
    """The permit a firm of this kind holds: 安全生产许可证 (producers), 危险化学品经营许可证 (traders),
    安全使用许可证 (users); storage firms hold a 经营 permit with storage."""
    if activity == "生产":
        return f"（赣）WH安许证字〔{issued.year}〕{serial % 10000:04d}号"
    if activity == "使用":
        return f"赣宜危化使字〔{issued.year}〕{serial % 1000000:06d}"
    return f"赣宜危化经字〔{issued.year}〕{serial % 1000000:06d}"


def weihua_firms(world) -> Iterator[dict]:
    for o in world.orgs():
        if o["is_hazardous_chemical"]:
            yield o


def weihua_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng, env = wctx.world, st.rng, st.env
    recs = []
    for o in weihua_firms(world):
        fr = random.Random(f"{world.seed}/weihua/{o['uscc']}")  # the weekly snapshot repeats the same facts
        trade = next(w for w in ACTIVITIES if w in o["name"])
        activity = fr.choices(*zip(*ACTIVITIES[trade]))[0]
        issued = max(o["established_date"], env.as_of - dt.timedelta(days=fr.randint(30, 3 * 365 - 30)))
        major = fr.random() < (0.35 if activity in ("生产", "储存", "经营（带储存）") else 0.05)
        info = world.grid_by_code[o["grid_code"]]
        if info.adults and fr.random() < 0.6:  # a manager living in the grid; else the legal representative
            officer = fr.choice(info.adults)
            who, tel = officer.name, officer.phone or phone(fr)
        else:
            who, tel = o["legal_rep_name"], phone(fr)
        recs.append(Record(values={
            "uscc": o["uscc"], "name": o["name"], "activity": activity,
            "license_no": _license(activity, issued, fr.randrange(10**6)),
            "license_valid_until": (issued + dt.timedelta(days=3 * 365)).strftime(DATE),
            "major_hazard": "是" if major else "否",
            "hazard_level": fr.choices(*zip(*HAZARD_LEVELS))[0] if major else "无",
            "address": o["address"] or "", "division_code": o["district_code"], "safety_officer": who,
            "safety_phone": tel,
            "inspected_date": (env.as_of - dt.timedelta(days=fr.randint(7, 200))).strftime(DATE),
        }, entity_key=o["uscc"], context=o))

    mutate = mutation(rng, "危化企业", wrong={"activity": WRONG_ACTIVITY, "hazard_level": WRONG_HAZARD_LEVEL},
                      true_date=as_written(DATE), env=env)
    damage(recs, st.defects, rng, mutate)
    return iter(recs)


# A supervision register: ≈92% valid (errors: credit code, 企业类型, division, a missing name, an impossible
# inspection date, duplicates; phone and hazard level are warnings).
WEIHUA_DEFECTS = FeedDefects(
    rates={"bad_uscc": 0.020, "wrong_code": 0.020, "bad_division": 0.010, "missing_required": 0.010,
           "bad_phone": 0.030, "bad_date": 0.015, "duplicate": 0.010},
    columns={"bad_uscc": ("uscc",), "wrong_code": ("activity", "hazard_level"), "bad_division": ("division_code",),
             "missing_required": ("name",), "bad_phone": ("safety_phone",), "bad_date": ("inspected_date",),
             "duplicate": ("uscc",)},
)


FEEDS = (
    FeedSpec("yingji.tufa", world_records=tufa_records, date_format=DATE, timestamp_format=TS,
             delivery_mode="delta", defects=TUFA_DEFECTS),
    FeedSpec("yingji.weihua", world_records=weihua_records, date_format=DATE, delivery_mode="full",
             defects=WEIHUA_DEFECTS),
)
