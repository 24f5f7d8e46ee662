"""残联: 持证残疾人 (第二代残疾人证), a GBK CSV, one row per certificate.

The 20-character 残疾人证号 is the holder's 公民身份号码 + 残疾类别 (1–7: 视力 听力 言语 肢体 智力 精神 多重)
+ 残疾等级 (1–4). Certificate holders are drawn from all residents of each grid (~2.5%).
"""

from __future__ import annotations

import datetime as dt

from simulator.address import standard_address
from simulator.defects import Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.dates import add_years

DATE = "%Y-%m-%d"
CANJI_SHARE = 0.025
CATEGORIES = (("视力", 0.13), ("听力", 0.20), ("言语", 0.02), ("肢体", 0.40), ("智力", 0.08), ("精神", 0.10),
              ("多重", 0.07))
GRADES = (("一级", 0.12), ("二级", 0.26), ("三级", 0.24), ("四级", 0.38))
_CODE = {name: str(i) for i, (name, _) in enumerate(CATEGORIES, 1)}
_GRADE = {name: str(i) for i, (name, _) in enumerate(GRADES, 1)}
_SUBSIDY = (("无", 0.55), ("生活补贴", 0.15), ("护理补贴", 0.18), ("两项补贴", 0.12))


def _pick(rng, table):
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def card_number(id_number: str, category: str, grade: str) -> str:
    return f"{id_number}{_CODE[category]}{_GRADE[grade]}"


def _canji(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    households = {hh.household_id: hh for hh in ctx.grid.households}
    for p in ctx.people:
        # Certificates are issued after an assessment, not to infants under about a year.
        if (env.as_of - p.birth_date).days < 400 or not damage.chosen(p.person_key, "canlian.canji", CANJI_SHARE):
            continue
        category, grade = _pick(rng, CATEGORIES), _pick(rng, GRADES)
        issued = max(p.birth_date + dt.timedelta(days=200),
                     env.as_of - dt.timedelta(days=rng.randint(30, 10 * 365 - 30)))
        guardian = ""
        if category in ("智力", "精神") or (env.as_of - p.birth_date).days < 18 * 365:
            others = [m for m in households[p.household_id].members if m is not p]
            guardian = others[0].name if others else ""
        recs.append(Record(
            values={
                "card_id": card_number(p.id_number, category, grade),
                "id_number": p.id_number,
                "name": p.name,
                "sex": p.sex,
                "category": category,
                "grade": grade,
                "issued_date": issued.strftime(DATE),
                "valid_until": add_years(issued, 10).strftime(DATE),
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "guardian_name": guardian,
                "phone": p.phone,
                "subsidy": _pick(rng, _SUBSIDY) if grade in ("一级", "二级") else rng.choice(("无", "无", "生活补贴")),
            },
            entity_key=p.person_key,
            context=p,
        ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


FEEDS = (
    FeedSpec("canlian.canji", _canji, date_format=DATE),
)
