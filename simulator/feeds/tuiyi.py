"""退役军人事务局: 退役军人 (信息采集), an xlsx with a title row above a two-row merged header
(个人信息 | 服役信息).

Veterans are drawn from the registered residents of each grid: about 11% of men aged 20 and over (China
counts some 57 million veterans) and 0.4% of women. Each enlisted at 17–22 and was discharged at 40 at the
latest, after 2 years as a conscript, 3–12 as a sergeant or 12–22 as an officer; how he left follows from that
and from the era (转业 for officers, 复员 for long-serving volunteers of the old system, 退伍 for the rest,
逐月领取退役金 for officers leaving since 2021). Dates are months, written YYYY-MM.
"""

from __future__ import annotations

import datetime as dt
import random

from simulator.address import standard_address
from simulator.dates import add_years
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.world_damage import damage as apply_damage
from simulator.feeds.registry import FeedSpec
from simulator.people import HUKOU

MONTH = "%Y-%m"
SHARE = (0.11, 0.004)  # of registered men / women aged 20 and over
CREATOR = "宜春市退役军人事务局"
# (service, weight, (shortest, longest) years)
_SERVICE = (("义务兵", 0.55, (2, 3)), ("士官", 0.35, (3, 12)), ("军官", 0.10, (12, 22)))
WRONG_DISCHARGE = ("退役", "转业干部", "自主择业", "9")


def _age(p, on: dt.date) -> int:
    return on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))


def _call_up_month(year: int, rng: random.Random) -> int:
    """Winter call-ups until 2012, autumn from 2013, spring and autumn from 2021."""
    if year < 2013:
        return 12
    if year < 2021:
        return 9
    return rng.choice((3, 9))


def _discharge(enlisted: dt.date, years: int) -> dt.date:
    """Old soldiers leave in winter until 2012, at the end of summer since 2013 (spring too since 2021)."""
    out = add_years(enlisted, years)
    return out.replace(month=9) if out.year >= 2013 and out.month == 12 else out


def _service(p, as_of: dt.date, rng: random.Random) -> tuple[str, dt.date, dt.date, str] | None:
    """(service, enlisted, discharged, how) for a veteran, or None when none fits his age."""
    service = rng.choices([s for s, _, _ in _SERVICE], weights=[w for _, w, _ in _SERVICE])[0]
    shortest, longest = next(span for s, _, span in _SERVICE if s == service)
    # the age he turns in his call-up year: 17–22 on the day (18 is the usual minimum, 17 for school leavers)
    enlist_age = rng.choices((18, 19, 20, 21, 22), weights=(30, 30, 20, 12, 8))[0]
    enlist_year = p.birth_date.year + enlist_age
    enlisted = dt.date(enlist_year, _call_up_month(enlist_year, rng), 1)
    years = min(rng.randint(shortest, longest), 40 - enlist_age)
    while years >= 2 and _discharge(enlisted, years) >= as_of.replace(day=1):
        years -= 1  # the young ones: discharged already, so a shorter service
    if years < 2:
        return None
    discharged = _discharge(enlisted, years)
    if service == "军官":
        how = "逐月领取退役金" if discharged.year >= 2021 and years >= 20 and rng.random() < 0.5 else "转业"
    elif (service == "士官" and years >= 12) or (discharged.year < 1999 and years >= 8 and rng.random() < 0.5):
        how = "复员"
    else:
        how = "退伍"
    return service, enlisted, discharged, how


def _junren(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for p in ctx.people:
        if (p.population_type != HUKOU or _age(p, env.as_of) < 20
                or not damage.chosen(p.person_key, "tuiyi.junren", SHARE[0 if p.male else 1])):
            continue
        drawn = _service(p, env.as_of, rng)
        if drawn is None:
            continue
        service, enlisted, discharged, how = drawn
        # 优抚对象: 在乡复员军人, 带病回乡, 参战参试 … are mostly among the older veterans.
        entitled = rng.random() < (0.30 if discharged.year < 1990 else 0.05)
        recs.append(Record(
            values={
                "veteran_id": f"TY{p.house.division_code}{discharged:%Y}{p.person_key[1:]}",
                "name": p.name,
                "id_number": p.id_number,
                "sex": p.sex,
                "phone": p.phone,
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "enlisted_date": enlisted.strftime(MONTH),
                "discharged_date": discharged.strftime(MONTH),
                "discharge_type": how,
                "is_entitled": "是" if entitled else "否",
            },
            entity_key=p.person_key,
            context=p,
        ))

    person = damage.mutation(env, rng, house_of=lambda rec, col: rec.context.house, wrong=WRONG_DISCHARGE,
                             what="退役军人")

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":  # service dates are months: a bad one is a bad month, not a bad day
            return bad_month(dt.datetime.strptime(rec.values[column], MONTH).date(), env.as_of, rng)
        return person(kind, column, rec)

    apply_damage(recs, st.defects, rng, mutate, damage.eligible_for(env, lambda rec, col: rec.context))
    return recs


def bad_month(true: dt.date, as_of: dt.date, rng: random.Random) -> str:
    """A month the rule cannot accept: out of range, without its separator, in words, unknown, or still to come
    (a month that starts after the as-of date: the rule reads YYYY-MM as its first day)."""
    later = as_of.replace(day=1)
    for _ in range(rng.randint(1, 36)):
        later = (later + dt.timedelta(days=32)).replace(day=1)
    return rng.choice((
        f"{true.year}-13",
        f"{true.year}{true.month:02d}",
        f"{true.year}年{true.month}月",
        "不详",
        later.strftime(MONTH),
    ))


def _options(contract, date) -> dict:
    return {"title": f"宜春市退役军人信息采集表（{date:%Y年%m月}）", "created": dt.datetime.combine(date, dt.time(9)),
            "creator": CREATOR}


FEEDS = (
    # ≈91% valid at defaults: a register collected door to door since 2018 (信息采集), its commonest faults
    # the ID numbers (old 15-digit ones among older veterans) and the service months; phones and addresses
    # are warnings here.
    FeedSpec("tuiyi.junren", _junren, date_format=MONTH, timestamp_format=MONTH, sink_options=_options,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.015, "fullwidth_digits": 0.005,
                        "missing_required": 0.010, "bad_date": 0.012, "bad_phone": 0.020,
                        "unresolvable_address": 0.020, "address_variant": 0.200, "bad_division": 0.010,
                        "wrong_code": 0.010, "duplicate": 0.008},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "bad_date": ("enlisted_date", "discharged_date"), "bad_phone": ("phone",),
                          "unresolvable_address": ("address",), "address_variant": ("address",),
                          "bad_division": ("division_code",), "wrong_code": ("discharge_type",),
                          "duplicate": ("veteran_id",)})),
)
