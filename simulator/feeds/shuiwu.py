"""税务局 纳税人 (UTF-8 CSV, monthly full export from 金税三期): the world's organisations that are taxpayers.

The 纳税人识别号 of a unit taxpayer is its 统一社会信用代码 since 2015, so every taxpayer carries the same
code as 市场监管's register (``shichang.qiye`` / ``shichang.getihu``): enterprises and 农民专业合作社 in
business, and the 个体工商户 the world marks as taxpayers (~60% of those in business; the others fall under
the VAT threshold and are not registered). Valid GB 32100 codes except where ``bad_uscc`` is injected.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.shichang import bad_uscc, entity_type
from simulator.feeds.world_damage import damage

DATE = "%Y-%m-%d"
# 金税 登记注册类型 by the entity type 市场监管 registers
REGISTRATION_TYPE = {"有限责任公司": "私营有限责任公司", "股份有限公司": "私营股份有限公司", "分公司": "私营有限责任公司",
                     "合伙企业": "私营合伙企业", "农民专业合作社": "农民专业合作社", "其他": "其他企业"}
# 纳税人状态: most are 正常; 非正常 = missed filings (走逃、失联), a few suspended or in liquidation
STATUS = (("正常", 95.5), ("非正常", 3.0), ("停业", 1.0), ("清算", 0.5))
CREDIT = (("A", 8), ("B", 55), ("M", 30), ("C", 5), ("D", 2))  # 纳税信用级别 (M: new or small, no history)
WRONG_TAXPAYER_TYPE = ("小规模", "一般人", "定期定额户", "查账征收")  # 征收方式 typed into 纳税人资格


def _pick(rng: random.Random, table) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _taxpayer_type(org: dict) -> str:
    # 个体工商户 taxed by 定期定额 are 小规模纳税人 by qualification (定期定额 is how they are assessed)
    return org["taxpayer_type"] if org["taxpayer_type"] in ("一般纳税人", "小规模纳税人") else "小规模纳税人"


def nashuiren_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, env = wctx.world, st.env
    chunk: list[Record] = []
    grid = None
    for o in world.orgs():
        if not o["is_taxpayer"]:
            continue
        if grid is not None and o["grid_code"] != grid and chunk:
            yield from _damaged(chunk, st)  # per grid: rates stratified like the grid feeds, memory bounded
            chunk = []
        grid = o["grid_code"]
        # per taxpayer, so every monthly export (and every delta day's full snapshot) says the same
        r = random.Random(f"{world.seed}/shuiwu/{o['uscc']}")
        individual = o["category"] == "individual_business"
        registered = min(o["established_date"] + dt.timedelta(days=r.randint(1, 30)), env.as_of - dt.timedelta(days=1))
        chunk.append(Record(values={
            "taxpayer_id": o["uscc"], "name": o["name"], "taxpayer_type": _taxpayer_type(o),
            "registration_type": "个体工商户" if individual else REGISTRATION_TYPE[entity_type(o)],
            "industry": o["industry"] or "", "legal_rep": o["legal_rep_name"], "address": o["address"] or "",
            "division_code": o["district_code"], "status": _pick(r, STATUS),
            "credit_grade": "" if individual else _pick(r, CREDIT), "registered_date": registered.strftime(DATE),
        }, entity_key=o["uscc"], context=o))
    if chunk:
        yield from _damaged(chunk, st)


def _damaged(recs: list[Record], st: FeedState) -> list[Record]:
    rng, env = st.rng, st.env

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_uscc":
            return bad_uscc(rec.values[column], rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "bad_date":
            return defects.bad_date(dt.datetime.strptime(rec.values[column], DATE).date(), env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_TAXPAYER_TYPE)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 纳税人")

    damage(recs, st.defects, rng, mutate)
    return recs


FEEDS = (
    # ≈95% valid (errors: the code, name, qualification, division, registration date; the grade is a warning).
    FeedSpec("shuiwu.nashuiren", world_records=nashuiren_records, date_format=DATE,
             defects=FeedDefects(
                 rates={"bad_uscc": 0.015, "missing_required": 0.010, "wrong_code": 0.010, "bad_division": 0.008,
                        "bad_date": 0.008, "duplicate": 0.005},
                 columns={"bad_uscc": ("taxpayer_id",), "missing_required": ("name",),
                          "wrong_code": ("taxpayer_type",), "bad_division": ("division_code",),
                          "bad_date": ("registered_date",), "duplicate": ("taxpayer_id",)})),
)
