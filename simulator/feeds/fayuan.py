"""中级人民法院 民商事案件 (UTF-8 CSV, delta deliveries): the world's civil cases ("civil" events).

The full load sends the cases filed in the year before the as-of date as the 审判流程管理系统 shows them then;
each delta day's file (dated D) the cases filed or closed on the day before D, seen at D's midnight (so no
day falls between the full load and the first delta). The world's event id is the system's 案件标识, beside the
案号 the court gives the case: ``（2026）赣0902民初315042号`` = year, the court's code (赣09 the 中院, 赣09xx
the basic courts of each county), 民初/民终/民特/民再 by procedure, and a serial (day of the year × 1,000 +
the day's sequence, unique within the year).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.world import events as world_events
from simulator.world.persons import name as person_name

DATE = "%Y-%m-%d"
TS = "%Y-%m-%d %H:%M:%S"
COURTS = {"360902": "宜春市袁州区人民法院", "360921": "奉新县人民法院", "360922": "万载县人民法院",
          "360923": "上高县人民法院", "360924": "宜丰县人民法院", "360925": "靖安县人民法院", "360926": "铜鼓县人民法院",
          "360981": "丰城市人民法院", "360982": "樟树市人民法院", "360983": "高安市人民法院"}
INTERMEDIATE = "江西省宜春市中级人民法院"
# 案由 (最高法《民事案件案由规定》) by the world's category, and who usually sues
CAUSES = {
    "合同纠纷": (("民间借贷纠纷", 35), ("买卖合同纠纷", 25), ("金融借款合同纠纷", 20), ("建设工程施工合同纠纷", 8),
              ("房屋租赁合同纠纷", 7), ("服务合同纠纷", 5)),
    "婚姻家庭": (("离婚纠纷", 75), ("抚养纠纷", 10), ("赡养纠纷", 8), ("继承纠纷", 7)),
    "侵权责任": (("机动车交通事故责任纠纷", 60), ("生命权、身体权、健康权纠纷", 25), ("财产损害赔偿纠纷", 15)),
    "劳动争议": (("劳动合同纠纷", 45), ("追索劳动报酬纠纷", 40), ("工伤保险待遇纠纷", 15)),
    "物权纠纷": (("物权保护纠纷", 40), ("相邻关系纠纷", 30), ("物业服务合同纠纷", 30)),
}
BANKS = ("中国农业银行股份有限公司宜春分行", "江西宜春农村商业银行股份有限公司", "中国建设银行股份有限公司宜春分行",
         "九江银行股份有限公司宜春分行", "中国邮政储蓄银行股份有限公司宜春市分行")
# (procedure, 案号 code, share): first instance in the county courts; appeals and retrials at the 中院
PROCEDURES = (("一审", "民初", 93), ("特别程序", "民特", 3), ("二审", "民终", 3), ("再审", "民再", 1))
TRACKS = (("简易程序", 58), ("普通程序", 27), ("小额诉讼程序", 15))
CLOSING = (("调解", 38), ("判决", 35), ("撤诉", 22), ("驳回起诉", 3), ("移送", 1), ("其他", 1))
WRONG_PROCEDURE = ("1", "初审", "简易", "民初")


def _pick(rng: random.Random, table) -> str:
    return rng.choices([t[0] for t in table], weights=[t[-1] for t in table])[0]


def _seen(wctx: WorldContext) -> tuple[list[dict], dt.datetime]:
    world = wctx.world
    if wctx.day == 0:
        return list(world.event_history(365, kinds=("civil",))), dt.datetime.combine(wctx.as_of, dt.time())
    # the day before this delivery, seen at its end: the full load stops at the as-of midnight, day 1 goes on
    return (list(world_events.updates_on(world, wctx.date - dt.timedelta(days=1), ("civil",))),
            dt.datetime.combine(wctx.date, dt.time()))


def _party(er: random.Random, wctx: WorldContext, e: dict) -> str:
    adults = wctx.world.grid_by_code[e["grid_code"]].adults
    if adults and er.random() < 0.85:
        return er.choice(adults).name  # a resident of the grid where the dispute arose
    return person_name(er, er.random() < 0.6)  # a party from outside the city


def minshi_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    rng = st.rng
    events, seen_at = _seen(wctx)
    recs = []
    for e in events:
        er = random.Random(f"{wctx.world.seed}/minshi/{e['event_id']}")  # the same case in every delivery
        procedure, code, _ = PROCEDURES[[p[0] for p in PROCEDURES].index(_pick(er, PROCEDURES))]
        court_code, court = (("赣09", INTERMEDIATE) if procedure in ("二审", "再审")
                             else (f"赣{e['district_code'][2:]}", COURTS.get(e["district_code"], INTERMEDIATE)))
        filed: dt.datetime = e["reported_at"]
        serial = filed.timetuple().tm_yday * 1000 + int(e["event_id"][-6:])
        cause = _pick(er, CAUSES[e["category"]])
        plaintiff = er.choice(BANKS) if cause == "金融借款合同纠纷" else _party(er, wctx, e)
        defendant = _party(er, wctx, e)
        amount = "" if e["category"] == "婚姻家庭" and cause == "离婚纠纷" else f"{er.lognormvariate(10.3, 1.1):.2f}"
        track = "普通程序" if procedure != "一审" else _pick(er, TRACKS)
        closing = _pick(er, CLOSING)
        closed = e["closed_at"] if e["closed_at"] is not None and e["closed_at"] < seen_at else None
        updated = max(t for t in (filed, e["dispatched_at"], closed) if t is not None and t < seen_at)
        recs.append(Record(values={
            "case_no": f"（{filed.year}）{court_code}{code}{serial}号", "case_uid": e["event_id"], "cause": cause,
            "procedure": procedure, "track": track, "filed_date": filed.strftime(DATE), "court": court,
            "plaintiff": plaintiff, "defendant": defendant, "claim_amount": amount,
            "division_code": e["district_code"], "closed_date": closed.strftime(DATE) if closed else "",
            "closing_method": closing if closed else "", "updated_at": updated.strftime(TS),
        }, entity_key=e["event_id"], context=e))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":
            return defects.bad_date(rec.context["reported_at"].date(), st.env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_PROCEDURE)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 民商事案件")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


FEEDS = (
    # ≈97% valid: a court's case register is well kept (errors: filing date, procedure, a missing 案由/court;
    # the dispute's division code is a warning).
    FeedSpec("fayuan.minshi", world_records=minshi_records, date_format=DATE, timestamp_format=TS,
             delivery_mode="delta",
             defects=FeedDefects(
                 rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.010, "bad_division": 0.010},
                 columns={"bad_date": ("filed_date",), "wrong_code": ("procedure",),
                          "missing_required": ("cause", "court"), "bad_division": ("division_code",)})),
)
