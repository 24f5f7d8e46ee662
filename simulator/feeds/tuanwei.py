"""共青团: 重点青少年 (预防青少年违法犯罪), an xlsx with a title row above the header.

Young people aged 6–25 are drawn from each grid (~1%); a guardian (a parent of the household) is named
for minors. Dates are written YYYY/MM/DD.
"""

from __future__ import annotations

import datetime as dt

from simulator import defects
from simulator.address import standard_address
from simulator.defects import Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec

DATE = "%Y/%m/%d"
SHARE = 0.01  # of residents aged 6–25
_GROUPS = (("闲散青少年", 0.35), ("有不良行为青少年", 0.22), ("流浪乞讨未成年人", 0.02),
           ("服刑在教人员未成年子女", 0.06), ("农村留守儿童", 0.30), ("其他", 0.05))
_HELPERS = ("王老师", "李书记", "张社工", "刘干事", "陈老师", "黄书记")


def _age(p, on: dt.date) -> int:
    return on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))


def _youth(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    households = {hh.household_id: hh for hh in ctx.grid.households}
    recs = []
    for p in ctx.people:
        age = _age(p, env.as_of)
        if not 6 <= age <= 25 or not damage.chosen(p.person_key, "tuanwei.zhongdian_qingshaonian", SHARE):
            continue
        guardian = None
        if age < 18:
            adults = [m for m in households[p.household_id].members if m is not p and _age(m, env.as_of) >= 18]
            guardian = adults[0] if adults else None
        group = rng.choices([g for g, _ in _GROUPS], weights=[w for _, w in _GROUPS])[0]
        if age >= 18 and group in ("流浪乞讨未成年人", "服刑在教人员未成年子女", "农村留守儿童"):
            group = "闲散青少年"
        recs.append(Record(
            values={
                "youth_id": f"QS{p.house.division_code}{p.person_key[-7:]}",
                "name": p.name,
                "id_number": p.id_number,
                "sex": p.sex,
                "group": group,
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "guardian_name": guardian.name if guardian else "",
                "guardian_phone": guardian.phone if guardian else "",
                "helper": rng.choice(_HELPERS),
                "updated_at": defects.healthy_timestamp(env, rng).strftime(DATE),
            },
            entity_key=p.person_key,
            context=p,
        ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


def _options(contract, date) -> dict:
    return {"title": f"宜春市重点青少年群体信息登记表（{date:%Y年%m月}）", "created": dt.datetime.combine(date, dt.time(5)),
            "creator": "共青团宜春市委"}


FEEDS = (
    FeedSpec("tuanwei.zhongdian_qingshaonian", _youth, date_format=DATE, timestamp_format=DATE,
             sink_options=_options),
)
