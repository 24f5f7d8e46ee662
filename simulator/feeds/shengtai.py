"""生态环境局 环境投诉 (a JSON document, records under ``rows``; delta: the year, then each day's new and
updated complaints): the world's "environment" events.

A complaint keeps the world's event id, times, place and division. Who is complained about is real: for
air, water and solid-waste complaints most often one of the grid's enterprises, for noise one of its
个体工商户 (a restaurant, a shop), each under its own 统一社会信用代码 so the warehouse can link the
complaint to the market register; the complainant, when not anonymous, is a resident of the grid.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.shichang import bad_uscc
from simulator.feeds.world_damage import damage
from simulator.feeds.xiaofang import event_window, pick_orgs, ts

TS = "%Y-%m-%d %H:%M:%S"
POLLUTION = {"大气污染": "大气", "噪声污染": "噪声", "水污染": "水", "固体废物": "固体废物", "其他": "其他"}
# Who is named, by pollution type: (share naming an organisation, the organisations' category)
RESPONDENTS = {"大气": (0.6, "enterprise"), "水": (0.6, "enterprise"), "固体废物": (0.6, "enterprise"),
               "噪声": (0.5, "individual_business")}
UNNAMED = {"大气": "附近烧烤摊", "噪声": "附近建筑工地", "水": "上游养殖场", "固体废物": "不明车辆", "其他": ""}
WHAT = {"大气": ("排放刺鼻废气", "烟囱冒黑烟", "露天焚烧垃圾"), "噪声": ("夜间施工噪声扰民", "经营噪声扰民"),
        "水": ("向河道排放污水", "污水直排"), "固体废物": ("乱倒建筑垃圾", "随意堆放工业固废"), "其他": ("有异味", "扬尘")}
WRONG_CHANNEL = ("12369", "电话", "微信", "1")
WRONG_POLLUTION = ("大气污染", "噪音", "废水", "2")


def _channel(world_channel: str, er: random.Random) -> str:
    if world_channel == "12369":  # the 12369 platform takes calls and, about a third, web and WeChat reports
        return "网络举报" if er.random() < 0.3 else "12369热线"
    return world_channel  # 12345转办, 来信来访: the department's own words already


def tousu_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    events, _seen_at = event_window(wctx, "environment")
    events = list(events)  # a year: ~15,000 in a 5M city
    wanted: dict[str, list] = {}
    for e in events:
        pollution = POLLUTION.get(e["category"], "其他")
        if pollution in RESPONDENTS:
            wanted.setdefault(e["grid_code"], []).append((e["event_id"], RESPONDENTS[pollution]))

    def respondent(key: str, what, orgs: list[dict]) -> tuple[str, str] | None:
        share, category = what
        pr = random.Random(f"{world.seed}/tousu/respondent/{key}")
        pool = [o for o in orgs if o["category"] == category and o["status"] == "存续"]
        if not pool or pr.random() >= share:
            return None
        org = pr.choice(pool)
        return org["name"], org["uscc"]  # only what the record needs: the grid's orgs are dropped after it

    named = pick_orgs(world, wanted, respondent)
    recs = []
    for e in events:
        er = random.Random(f"{world.seed}/tousu/{e['event_id']}")  # a re-sent complaint keeps its facts
        pollution = POLLUTION.get(e["category"], "其他")
        org = named.get(e["event_id"])
        info = world.grid_by_code[e["grid_code"]]
        anonymous = er.random() < 0.3 or not info.adults
        person = None if anonymous else er.choice(info.adults)
        target = org[0] if org else UNNAMED[pollution]
        what = "油烟扰民" if target == UNNAMED["大气"] else er.choice(WHAT[pollution])
        closed = e["closed_at"]
        updated = max(t for t in (e["reported_at"], e["dispatched_at"], closed, e["evaluated_at"]) if t is not None)
        status = "已办结" if closed else ("调查中" if e["dispatched_at"] else "已受理")
        recs.append(Record(values={
            "complaint_id": e["event_id"], "received_at": ts(e["reported_at"], TS),
            "channel": _channel(e["channel"], er), "pollution_type": pollution, "location": e["address"] or "",
            "division_code": e["district_code"], "respondent": target, "respondent_uscc": org[1] if org else "",
            "complainant_name": person.name if person else "", "complainant_phone": person.phone if person else "",
            "content": f"群众反映{target or '附近'}{what}，请求查处。", "status": status,
            "closed_at": ts(closed, TS), "updated_at": ts(updated, TS),
        }, entity_key=e["event_id"], context=e))

    def eligible(kind: str, column: str, rec: Record) -> bool:
        return kind not in ("bad_uscc", "bad_phone") or bool(rec.values[column])

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":
            return defects.bad_date(rec.context["reported_at"].date(), st.env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_CHANNEL if column == "channel" else WRONG_POLLUTION)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "bad_uscc":
            return bad_uscc(rec.values[column], rng)
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 环境投诉")

    damage(recs, st.defects, rng, mutate, eligible)
    return iter(recs)


def _document(contract, date: dt.date) -> dict:
    # The sink streams the rows, so a record count cannot precede them: the envelope says only that the query ran.
    return {"envelope": {"code": 200, "msg": "查询成功", "exportTime": f"{date:%Y-%m-%d} 06:30:00"}}


# ≈97% valid (errors: an unparseable 受理时间, a source or pollution type outside the code lists, a missing
# pollution type; division, phone and the respondent's credit code are warnings).
TOUSU_DEFECTS = FeedDefects(
    rates={"bad_date": 0.010, "wrong_code": 0.015, "missing_required": 0.005, "bad_division": 0.010,
           "bad_uscc": 0.010, "bad_phone": 0.020},
    columns={"bad_date": ("received_at",), "wrong_code": ("channel", "pollution_type"),
             "missing_required": ("pollution_type",), "bad_division": ("division_code",),
             "bad_uscc": ("respondent_uscc",), "bad_phone": ("complainant_phone",)},
)

FEEDS = (
    FeedSpec("shengtai.tousu", world_records=tousu_records, date_format="%Y-%m-%d", timestamp_format=TS,
             sink_options=_document, delivery_mode="delta", defects=TOUSU_DEFECTS),
)
