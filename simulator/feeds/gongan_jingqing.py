"""公安 110 接警 (GBK CSV, delta deliveries): the world's police incidents. The full load sends the year
before the as-of date as the centre sees it then; each delta day's file the incidents received or updated
that day (``world`` events ``updates_on``). (A module beside ``gongan.py``, which the person feeds own.)"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.world import events as world_events
from simulator.world.persons import name as person_name
from simulator.world.persons import phone

TS = "%Y-%m-%d %H:%M:%S"
CATEGORY = {"刑事案件": "刑事", "治安案件": "治安", "交通事故": "交通", "火灾": "火灾", "群众求助": "群众求助",
            "纠纷": "纠纷", "举报": "举报", "其他": "其他"}
WRONG_CATEGORY = ("刑事案件", "求助", "交通事故", "9")
RESULT = {"刑事": "立案", "纠纷": "调解"}
UNITS = {"360902": "袁州分局", "360921": "奉新县公安局", "360922": "万载县公安局", "360923": "上高县公安局",
         "360924": "宜丰县公安局", "360925": "靖安县公安局", "360926": "铜鼓县公安局", "360981": "丰城市公安局",
         "360982": "樟树市公安局", "360983": "高安市公安局"}


def _ts(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime(TS)


def jingqing_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    if wctx.day == 0:
        events = world.event_history(365, kinds=("police",))
        seen_at = dt.datetime.combine(wctx.as_of, dt.time())
    else:
        events = world_events.updates_on(world, wctx.date, ("police",))
        seen_at = dt.datetime.combine(wctx.date + dt.timedelta(days=1), dt.time())
    recs = []
    for e in events:
        # the caller is drawn per incident (a stream of its own), so a re-sent version names the same caller
        er = random.Random(f"{world.seed}/jingqing/{e['event_id']}")
        category = CATEGORY.get(e["category"], "其他")
        arrived = None if e["dispatched_at"] is None else e["dispatched_at"] + dt.timedelta(minutes=er.randint(5, 40))
        arrived = arrived if arrived is not None and arrived < seen_at else None
        closed = e["closed_at"] is not None and e["closed_at"] < seen_at
        updated = max(t for t in (e["reported_at"], e["dispatched_at"], arrived, e["closed_at"])
                      if t is not None and t < seen_at)
        recs.append(Record(values={
            "incident_id": e["event_id"], "received_at": _ts(e["reported_at"]),
            "caller_name": person_name(er, er.random() < 0.5), "caller_phone": phone(er), "category": category,
            "sub_category": e["subcategory"] or "", "location": e["address"] or "",
            "division_code": e["district_code"], "lon": f"{e['lon']:.6f}", "lat": f"{e['lat']:.6f}",
            "summary": f"{e['category']}：{e['channel']}报警", "handling_unit": UNITS.get(e["district_code"], "宜春市公安局"),
            "dispatched_at": _ts(e["dispatched_at"] if e["dispatched_at"] and e["dispatched_at"] < seen_at else None),
            "arrived_at": _ts(arrived), "result": RESULT.get(category, "已处置") if closed else "",
            "is_homicide": "1" if e["is_homicide"] else "0", "updated_at": _ts(updated),
        }, entity_key=e["event_id"], context=e))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":
            return defects.bad_date(rec.context["reported_at"].date(), st.env, rng)
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_CATEGORY)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 110 警情")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


FEEDS = (
    FeedSpec("gongan.jingqing", world_records=jingqing_records, timestamp_format=TS, delivery_mode="delta"),
)
