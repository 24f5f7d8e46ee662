"""民政局: 低保/特困 保障对象, a legacy .xls export (header on row 1, no title), one row per member.

Assisted households are drawn from the registered households of each grid; all their members are listed
under one 保障证号. Dates are written YYYY/MM/DD, as the 社会救助 system exports them.
"""

from __future__ import annotations

import datetime as dt

from simulator.address import standard_address
from simulator.defects import Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.people import HUKOU
from simulator.dates import add_years

DATE = "%Y/%m/%d"
DIBAO_SHARE = 0.03  # of registered households (Yichun: ~3–4% of residents receive 低保 or 特困 support)
_CITY_DIVISIONS = ("360902",)  # 袁州区: urban 低保; counties mostly rural


def _dibao(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for hh in ctx.grid.households:
        if hh.population_type != HUKOU or not damage.chosen(hh.household_id, "minzheng.dibao", DIBAO_SHARE):
            continue
        urban = hh.house.division_code in _CITY_DIVISIONS or rng.random() < 0.3
        alone = len(hh.members) == 1
        kind = ("城市" if urban else "农村") + ("特困" if alone and rng.random() < 0.6 else "低保")
        per_head = (rng.randint(700, 900) if urban else rng.randint(500, 700)) if kind.endswith("低保") \
            else rng.randint(1000, 1300)
        approved = env.as_of - dt.timedelta(days=rng.randint(60, 8 * 365))
        reviewed = max(approved, env.as_of - dt.timedelta(days=rng.randint(1, (env.reverify_days or 365) - 30)))
        head_phone = hh.members[0].phone
        for no, p in enumerate(hh.members, 1):
            recs.append(Record(
                values={
                    "member_id": f"MZ{hh.household_id}{no:02d}",
                    "household_id": f"BZ{hh.household_id}",
                    "name": p.name,
                    "id_number": p.id_number,
                    "relation_to_head": p.relation,
                    "assistance_type": kind,
                    "monthly_amount": f"{per_head:.2f}" if no == 1 else "",
                    "address": standard_address(hh.house),
                    "division_code": hh.house.division_code,
                    "phone": head_phone if no == 1 else "",
                    "approved_date": approved.strftime(DATE),
                    "reviewed_date": reviewed.strftime(DATE),
                },
                entity_key=p.person_key,
                context=p,
            ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


def _dibao_options(contract, date) -> dict:
    return {"title": None}


FEEDS = (
    FeedSpec("minzheng.dibao", _dibao, date_format=DATE, timestamp_format=DATE, sink_options=_dibao_options),
)


# ---- 婚姻登记 ------------------------------------------------------------------------------------------

HUNYIN_DATE = "%Y-%m-%d"
MARRIED_RECENTLY = 0.03  # of couples in a household: married within the last year (~6 per 1,000 residents)
_OFFICE = "{district}民政局婚姻登记处"


def _hunyin(ctx, st) -> list[Record]:
    """One 结婚登记 per couple (户主 and 配偶) registered during the last year; delta days send none
    (the simulated city has no marriages yet)."""
    env, rng = st.env, st.rng
    recs = []
    if ctx.day > 0:
        return recs
    for hh in ctx.grid.households:
        head = hh.members[0]
        spouse = next((p for p in hh.members[1:] if p.relation == "配偶"), None)
        if spouse is None or head.male == spouse.male or not damage.chosen(hh.household_id, "minzheng.hunyin",
                                                                              MARRIED_RECENTLY):
            continue
        man, woman = (head, spouse) if head.male else (spouse, head)
        youngest = max(add_years(man.birth_date, 22), add_years(woman.birth_date, 20))
        registered = env.as_of - dt.timedelta(days=rng.randint(1, (env.reverify_days or 365) - 30))
        if registered < youngest:
            continue
        recs.append(Record(
            values={
                "certificate_id": f"J{hh.house.division_code}-{registered:%Y}-{hh.household_id[-6:]}",
                "registration_type": "结婚登记",
                "registered_date": registered.strftime(HUNYIN_DATE),
                "male_name": man.name,
                "male_id_number": man.id_number,
                "female_name": woman.name,
                "female_id_number": woman.id_number,
                "office": _OFFICE.format(district=hh.house.district_name),
                "division_code": hh.house.division_code,
            },
            entity_key=hh.household_id,
            context=(man, woman),
        ))

    def person_of(rec, col):
        return rec.context[0] if col.startswith("male") else rec.context[1]

    damage.inject(recs, st.defects, env, rng, person_of=person_of)
    return recs


def _hunyin_options(contract, date) -> dict:
    return {"title": None, "created": dt.datetime.combine(date, dt.time(6)), "creator": "宜春市民政局"}


FEEDS = FEEDS + (
    FeedSpec("minzheng.hunyin", _hunyin, date_format=HUNYIN_DATE, timestamp_format=HUNYIN_DATE,
             sink_options=_hunyin_options, delivery_mode="delta"),
)
