"""检察院 公益诉讼线索 (GBK CSV, tab-separated, delta deliveries): the world's public-interest leads
("public_interest" events; the world's event id is the 线索编号).

The full load sends the leads received in the year before the as-of date as the 检察业务应用系统 shows them
then; each delta day's file (dated D) the leads received or concluded on the day before D, seen at D's
midnight. A lead is 初查 until it is opened (立案, the world's dispatch); when the world closes it, it ended in
a pre-litigation recommendation (诉前检察建议, most leads: the agency put it right), a suit or a closure (终结).
About 0.2 leads per 1,000 persons a year (~1,000 a year in a 5M city): a small city sees only a few.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.geography import DISTRICT_BY_CODE
from simulator.world import events as world_events

DATE = "%Y%m%d"
TS = "%Y-%m-%d %H:%M:%S"
SOURCES = {"履职发现": "履职发现", "群众举报": "群众举报", "部门移送": "行政机关移送"}
# the agency a lead is about, by field, and what the lead says
AGENCIES = {"生态环境和资源保护": ("生态环境局", "自然资源局", "林业局", "水利局"),
            "食品药品安全": ("市场监督管理局",), "国有财产保护": ("财政局", "人力资源和社会保障局", "医疗保障局"),
            "国有土地使用权出让": ("自然资源局",)}
SUMMARIES = {"生态环境和资源保护": ("河道非法采砂", "企业超标排放废水", "违法占用林地", "固体废物非法倾倒"),
             "食品药品安全": ("校园周边销售三无食品", "无证经营小作坊", "药店违规销售处方药"),
             "国有财产保护": ("违规发放补贴资金", "骗取医保基金", "国有资产流失"),
             "国有土地使用权出让": ("土地出让金未足额征收", "违规改变土地用途")}
ENDINGS = (("诉前检察建议", 80), ("提起诉讼", 8), ("终结", 12))
WRONG_FIELD = ("环境保护", "生态环境", "食品安全", "1")


def _seen(wctx: WorldContext) -> tuple[list[dict], dt.datetime]:
    world = wctx.world
    if wctx.day == 0:
        return list(world.event_history(365, kinds=("public_interest",))), dt.datetime.combine(wctx.as_of, dt.time())
    return (list(world_events.updates_on(world, wctx.date - dt.timedelta(days=1), ("public_interest",))),
            dt.datetime.combine(wctx.date, dt.time()))


def gongyi_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    rng = st.rng
    events, seen_at = _seen(wctx)
    recs = []
    for e in events:
        er = random.Random(f"{wctx.world.seed}/gongyi/{e['event_id']}")  # the same lead in every delivery
        field = e["category"]
        district = DISTRICT_BY_CODE[e["district_code"]].name
        agency = er.choice(AGENCIES[field])
        ending = er.choices([x for x, _ in ENDINGS], weights=[w for _, w in ENDINGS])[0]
        dispatched = e["dispatched_at"] if e["dispatched_at"] is not None and e["dispatched_at"] < seen_at else None
        closed = e["closed_at"] if e["closed_at"] is not None and e["closed_at"] < seen_at else None
        status = ending if closed else ("立案" if dispatched else "初查")
        updated = max(t for t in (e["reported_at"], dispatched, closed) if t is not None)
        recs.append(Record(values={
            "lead_id": e["event_id"], "received_date": e["reported_at"].strftime(DATE), "field": field,
            "source": SOURCES.get(e["channel"], "其他"),
            "summary": f"{district}{er.choice(SUMMARIES[field])}，相关部门未依法履职",
            "respondent_unit": f"{district}{agency}", "division_code": e["district_code"], "status": status,
            "closed_date": closed.strftime(DATE) if closed else "", "updated_at": updated.strftime(TS),
        }, entity_key=e["event_id"], context=e))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":
            return defects.bad_date(rec.context["reported_at"].date(), st.env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_FIELD)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 公益诉讼线索")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


FEEDS = (
    # ≈97% valid (errors: receipt date, field, a missing source; the division code is a warning).
    FeedSpec("jianchayuan.gongyi", world_records=gongyi_records, date_format=DATE, timestamp_format=TS,
             delivery_mode="delta",
             defects=FeedDefects(
                 rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.010, "bad_division": 0.010},
                 columns={"bad_date": ("received_date",), "wrong_code": ("field",), "missing_required": ("source",),
                          "bad_division": ("division_code",)})),
)
