"""信访局 信访件 (XML, one ``<XFJ>`` element per petition; delta: the year, then each day's newly registered
petitions and those with a handling step that day): the world's "petition" events.

A petition keeps the world's event id, channel (来信, 来访, 网上信访, 领导信箱 are the world's own words),
content class, times, deadline and the petitioner's evaluation. The petitioner is a resident of the grid the
matter arose in, under the person's own name, ID number, phone and address, so the warehouse can count
repeat petitioners and link them to the population.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import ID_KINDS, damage, mutation, reported_day
from simulator.feeds.xiaofang import event_window, ts
from simulator.geography import DISTRICT_BY_CODE

TS = "%Y-%m-%dT%H:%M:%S"
DATE = "%Y-%m-%d"
# The unit a petition is handed to, by content class (the county's department of that field).
UNITS = {"城乡建设": "住房和城乡建设局", "国土资源": "自然资源局", "劳动和社会保障": "人力资源和社会保障局",
         "政法": "政法委", "其他": "信访局"}
DEMANDS = {"城乡建设": ("房屋质量维修", "拆迁安置补偿", "物业管理纠纷", "农村危房改造"),
           "国土资源": ("土地征收补偿", "宅基地纠纷", "不动产登记办理"),
           "劳动和社会保障": ("追讨拖欠工资", "社保待遇核定", "工伤认定"),
           "政法": ("案件久拖未决", "执行款未到位", "对判决不服"), "其他": ("反映干部作风", "咨询政策")}
WRONG_CHANNEL = ("信", "上访", "网信", "3")
WRONG_SATISFACTION = ("非常满意", "一般", "5")


def _status(e: dict) -> str:
    """The petition system's 办理状态 of the world's step as seen: registered → 待受理, handed over → 办理中,
    closed (and evaluated) → 已办结."""
    if e["closed_at"] is not None:
        return "已办结"
    return "办理中" if e["dispatched_at"] is not None else "待受理"


def xinfangjian_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    events, _seen_at = event_window(wctx, "petition")
    recs = []
    for e in events:
        pr = random.Random(f"{world.seed}/xinfang/{e['event_id']}")  # each step re-sends the same petitioner
        info = world.grid_by_code[e["grid_code"]]
        person = pr.choice(info.adults) if info.adults else pr.choice(world.outsiders)
        crowd = pr.choices((1, pr.randint(2, 4), pr.randint(5, 30)), weights=(85, 12, 3))[0]  # 5+: 集体访
        district = DISTRICT_BY_CODE[e["district_code"]].name
        closed = e["closed_at"]
        satisfaction = e["satisfaction"] or ("未评价" if closed else "")
        updated = max(t for t in (e["reported_at"], e["dispatched_at"], closed, e["evaluated_at"]) if t is not None)
        recs.append(Record(values={
            "petition_id": e["event_id"], "channel": e["channel"], "registered_at": ts(e["reported_at"], TS),
            "petitioner_name": person.name, "petitioner_id_number": person.id_number,
            "petitioner_phone": person.phone, "petitioner_address": person.address, "person_count": str(crowd),
            "category": e["category"], "summary": f"{'联名' if crowd > 1 else ''}反映{pr.choice(DEMANDS[e['category']])}问题",
            "division_code": e["district_code"], "handling_unit": f"{district}{UNITS[e['category']]}",
            "deadline": e["due_at"].strftime(DATE), "status": _status(e), "satisfaction": satisfaction,
            "updated_at": ts(updated, TS),
        }, entity_key=e["event_id"], context=e))

    def eligible(kind: str, column: str, rec: Record) -> bool:
        value = rec.values[column]
        if kind in ID_KINDS:
            return len(value) == 18 and (kind != "legacy_15_digit" or value[6:8] == "19" and value[8:10] < "85")
        if kind in ("bad_phone", "wrong_code"):
            return bool(value)
        return True

    mutate = mutation(rng, "信访件", wrong={"channel": WRONG_CHANNEL, "satisfaction": WRONG_SATISFACTION},
                      true_date=reported_day, env=st.env)
    damage(recs, st.defects, rng, mutate, eligible)
    return iter(recs)


def _document(contract, date: dt.date) -> dict:
    return {"root_tag": "XFJLIST", "root_attrs": {"DCRQ": f"{date:%Y-%m-%d}", "XTMC": "宜春市信访信息系统"}}


# ≈97% valid (errors: an unparseable 登记时间, a 信访形式 outside the code list, a missing petitioner name;
# the ID number, phone, division and 满意度 are warnings).
XINFANGJIAN_DEFECTS = FeedDefects(
    rates={"bad_check_digit": 0.010, "legacy_15_digit": 0.005, "fullwidth_digits": 0.005, "bad_date": 0.010,
           "wrong_code": 0.015, "missing_required": 0.010, "bad_phone": 0.020, "bad_division": 0.010},
    columns={"bad_check_digit": ("petitioner_id_number",), "legacy_15_digit": ("petitioner_id_number",),
             "fullwidth_digits": ("petitioner_id_number",), "bad_date": ("registered_at",),
             "wrong_code": ("channel", "satisfaction"), "missing_required": ("petitioner_name",),
             "bad_phone": ("petitioner_phone",), "bad_division": ("division_code",)},
)

FEEDS = (
    FeedSpec("xinfang.xinfangjian", world_records=xinfangjian_records, date_format=DATE, timestamp_format=TS,
             sink_options=_document, delivery_mode="delta", defects=XINFANGJIAN_DEFECTS),
)
