"""市场监管局: the register of market entities from the world's organisations — enterprises (企业, with
农民专业合作社) and sole traders (个体工商户) — as JSON documents (``data.records``), valid 统一社会信用代码
(GB 32100) except where ``bad_uscc`` is injected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from simulator import defects
from simulator.defects import Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.world.persons import phone
from simulator.world.uscc import ALPHABET, uscc_check

DATE = "%Y-%m-%d"
WRONG_ENTITY_TYPES = ("公司", "有限公司", "私营企业", "集体")
WRONG_FORMS = ("个人", "家庭", "个体", "合伙经营")
AUTHORITY = {"360902": "宜春市袁州区市场监督管理局"}


def bad_uscc(uscc: str, rng) -> str:
    """A credit code with a wrong check character, a character lost, or a letter GB 32100 excludes."""
    wrong = rng.choice([c for c in ALPHABET if c != uscc_check(uscc[:17])])
    return rng.choice((uscc[:17] + wrong, uscc[:17], uscc[:8] + "O" + uscc[9:]))


def entity_type(org: dict) -> str:
    if org["org_type"] == "农民专业合作社":
        return "农民专业合作社"
    name = org["name"]
    if "股份有限公司" in name:
        return "股份有限公司"
    if name.endswith("分公司"):
        return "分公司"
    if "有限公司" in name or "有限责任公司" in name:
        return "有限责任公司"
    if "合伙" in name:
        return "合伙企业"
    return "其他"


def _authority(district: str) -> str:
    return AUTHORITY.get(district, f"宜春市市场监督管理局({district})")


def _id_mutation(kind: str, value: str, rng) -> str:
    return defects.bad_id(kind, value, rng)


def qiye_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    rng, env = st.rng, st.env
    recs = []
    for o in wctx.world.orgs():
        if o["category"] != "enterprise":
            continue
        est: dt.date = o["established_date"]
        recs.append(Record(values={
            "uscc": o["uscc"], "name": o["name"], "entity_type": entity_type(o), "legal_rep": o["legal_rep_name"],
            "legal_rep_id_number": o["legal_rep_id_number"] or "",
            "registered_capital": "" if o["registered_capital"] is None else f"{o['registered_capital']:.2f}",
            "established_date": est.strftime(DATE), "business_scope": o["industry"] or "", "address": o["address"],
            "division_code": o["district_code"], "status": o["status"], "industry_code": "",
            "authority": _authority(o["district_code"]),
            "approved_date": (est + dt.timedelta(days=rng.randint(0, 20))).strftime(DATE)
            if est + dt.timedelta(days=20) < env.as_of else est.strftime(DATE),
        }, entity_key=o["uscc"], context=o))
    return _damaged(recs, st, "企业")


def getihu_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    rng = st.rng
    recs = []
    for o in wctx.world.orgs():
        if o["category"] != "individual_business":
            continue
        recs.append(Record(values={
            "uscc": o["uscc"], "name": o["name"], "operator_name": o["legal_rep_name"],
            "operator_id_number": o["legal_rep_id_number"] or "", "phone": phone(rng),
            "form": "家庭经营" if rng.random() < 0.12 else "个人经营", "business_scope": o["industry"] or "",
            "premises": o["address"], "division_code": o["district_code"],
            "registered_date": o["established_date"].strftime(DATE), "status": o["status"],
        }, entity_key=o["uscc"], context=o))
    return _damaged(recs, st, "个体工商户")


def _damaged(recs: list[Record], st: FeedState, what: str) -> Iterator[Record]:
    rng, env = st.rng, st.env

    def eligible(kind: str, column: str, rec: Record) -> bool:
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
            value = rec.values[column]
            return len(value) == 18 and (kind != "legacy_15_digit" or value[6:8] == "19" and value[8:10] < "85")
        return True

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_uscc":
            return bad_uscc(rec.values[column], rng)
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
            return _id_mutation(kind, rec.values[column], rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "bad_date":
            return defects.bad_date(rec.context["established_date"], env, rng)
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_FORMS if column == "form" else WRONG_ENTITY_TYPES)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to {what}")

    damage(recs, st.defects, rng, mutate, eligible)
    return iter(recs)


def _envelope(contract, date: dt.date) -> dict:
    return {"envelope": {"code": 0, "msg": "成功", "exportTime": f"{date:%Y-%m-%d} 02:00:00"}}


FEEDS = (
    FeedSpec("shichang.qiye", world_records=qiye_records, date_format=DATE, sink_options=_envelope),
    FeedSpec("shichang.getihu", world_records=getihu_records, date_format=DATE, sink_options=_envelope),
)
