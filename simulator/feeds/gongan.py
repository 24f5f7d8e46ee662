"""公安局: 户籍人口 and 流动人口 records, as the police front-end database exports them.

户籍人口 writes 性别 as 1/2 and dates as YYYYMMDD; 流动人口 writes 性别 as 男/女 and dates as YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import random

from simulator import defects
from simulator.address import standard_address
from simulator.defects import FeedEnv, Record
from simulator.feeds.registry import FeedSpec
from simulator.people import Person

HUKOU_DATE = "%Y%m%d"
LIUDONG_DATE = "%Y-%m-%d"
TIMESTAMP = "%Y-%m-%d %H:%M:%S"


def _eligible(env: FeedEnv):
    stale_born_before = env.as_of - dt.timedelta(days=(env.reverify_days or 365) + 1000)

    def eligible(kind: str, column: str, rec: Record) -> bool:
        if kind == "legacy_15_digit":
            # First-generation 15-digit cards were issued to people born last century (adults by 2004).
            return rec.context.birth_date.year <= 1984
        if kind == "stale":
            # Only someone born before the stale update can have been updated then.
            return rec.context.birth_date < stale_born_before
        return True

    return eligible


def hukou_record(p: Person, env: FeedEnv, rng: random.Random) -> Record:
    updated = defects.healthy_timestamp(env, rng)
    if updated.date() < p.registered_date:
        updated = dt.datetime.combine(p.registered_date, dt.time(9)) + dt.timedelta(seconds=rng.randrange(8 * 3600))
    return Record(
        values={
            "id_number": p.id_number,
            "name": p.name,
            "sex": "1" if p.male else "2",
            "birth_date": p.birth_date.strftime(HUKOU_DATE),
            "ethnicity": p.ethnicity,
            "phone": p.phone,
            "household_id": p.household_id,
            "relation_to_head": p.relation,
            "address": standard_address(p.house),
            "division_code": p.house.division_code,
            "grid_code": p.house.grid_code,
            "registered_date": p.registered_date.strftime(HUKOU_DATE),
            "updated_at": updated.strftime(TIMESTAMP),
        },
        entity_key=p.person_key,
        context=p,
    )


def liudong_record(p: Person, registration_id: str, env: FeedEnv, rng: random.Random) -> Record:
    updated = defects.healthy_timestamp(env, rng)
    registered = p.registered_date
    if updated.date() < registered:
        updated = dt.datetime.combine(registered, dt.time(9)) + dt.timedelta(seconds=rng.randrange(8 * 3600))
    return Record(
        values={
            "registration_id": registration_id,
            "id_number": p.id_number,
            "name": p.name,
            "sex": p.sex,
            "birth_date": p.birth_date.strftime(LIUDONG_DATE),
            "phone": p.phone,
            "origin_address": p.origin_address,
            "address": standard_address(p.house),
            "division_code": p.house.division_code,
            "stay_reason": p.stay_reason,
            "registered_date": registered.strftime(LIUDONG_DATE),
            "valid_until": (registered + dt.timedelta(days=365)).strftime(LIUDONG_DATE),
            "grid_code": p.house.grid_code,
            "updated_at": updated.strftime(TIMESTAMP),
        },
        entity_key=p.person_key,
        context=p,
    )


def inject(records: list[Record], feed: defects.FeedDefects, env: FeedEnv, rng: random.Random) -> None:
    """Draw and apply the feed's defects to one chunk of person records."""
    defects.plan(records, feed, rng, _eligible(env))
    for rec in records:
        p: Person = rec.context
        for kind, column in rec.planned:
            if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
                value = defects.bad_id(kind, p.id_number, rng)
            elif kind == "missing_required":
                value = ""
            elif kind == "bad_date":
                value = defects.bad_date(p.birth_date, env, rng)
            elif kind == "bad_phone":
                value = defects.bad_phone(rng)
            elif kind == "unresolvable_address":
                value = defects.unresolvable_address(p.house, rng)
            elif kind == "address_variant":
                value = defects.address_variant(p.house, rng)
            elif kind == "stale":
                stale = defects.stale_timestamp(env, rng)
                value = stale.strftime(TIMESTAMP)
                _registered_before(rec, stale.date(), env, rng)
            else:
                raise ValueError(f"defect {kind} does not apply to person records")
            rec.values[column] = value
            rec.defects.append(kind)
            rid = defects.rule_id(kind, column)
            if rid:
                rec.broken.add(rid)


def _registered_before(rec: Record, day: dt.date, env: FeedEnv, rng: random.Random) -> None:
    """A stale record was registered before its last update."""
    fmt = env.date_format
    registered = dt.datetime.strptime(rec.values["registered_date"], fmt).date()
    if registered > day:
        registered = day - dt.timedelta(days=rng.randint(0, 300))
        rec.values["registered_date"] = registered.strftime(fmt)
        if "valid_until" in rec.values:
            rec.values["valid_until"] = (registered + dt.timedelta(days=365)).strftime(fmt)


# ---- feed registry ----------------------------------------------------------------------------------

def _hukou(ctx, st) -> list[Record]:
    from simulator.people import HUKOU

    recs = [hukou_record(p, st.env, st.rng) for p in ctx.people if p.population_type == HUKOU]
    for rec in recs:
        move = ctx.moved.get(rec.entity_key)
        if move is not None:
            rec.values["updated_at"] = move.at.strftime(TIMESTAMP)
    inject(recs, st.defects, st.env, st.rng)
    return recs


def _liudong(ctx, st) -> list[Record]:
    from simulator.people import HUKOU

    seq = st.counters.setdefault("registration", iter(range(1, 10**8)))
    recs = []
    for p in ctx.people:
        if p.population_type == HUKOU:
            continue
        rec = liudong_record(p, f"ZZ{p.house.division_code}{next(seq):08d}", st.env, st.rng)
        move = ctx.moved.get(p.person_key)
        if move is not None:
            # Moving house means a new 暂住登记 at the new address (a new registration number).
            rec.values["registration_id"] = f"ZZ{p.house.division_code}9{move.no:07d}"
            rec.values["registered_date"] = move.at.date().strftime(LIUDONG_DATE)
            rec.values["valid_until"] = (move.at.date() + dt.timedelta(days=365)).strftime(LIUDONG_DATE)
            rec.values["updated_at"] = move.at.strftime(TIMESTAMP)
        recs.append(rec)
    inject(recs, st.defects, st.env, st.rng)
    return recs


FEEDS = (
    FeedSpec("gongan.hukou", _hukou, date_format=HUKOU_DATE, required=True),
    FeedSpec("gongan.liudong", _liudong, date_format=LIUDONG_DATE, required=True),
)
