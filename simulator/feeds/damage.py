"""Applying a feed's planned defects to records drawn from persons and houses.

The person- and house-based department feeds share the same mutations (see :mod:`simulator.defects`);
each feed says, per record, which person an ID column belongs to (for the 15-digit era check) and which
house an address column describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Callable

from simulator import defects
from simulator.defects import FeedDefects, FeedEnv, Record

PersonOf = Callable[[Record, str], object]  # (record, column) → the Person the column describes
HouseOf = Callable[[Record, str], object]  # (record, column) → the House an address column describes


def eligible_for(env: FeedEnv, person_of: PersonOf | None):
    stale_born_before = env.as_of - dt.timedelta(days=(env.reverify_days or 365) + 1000)

    def eligible(kind: str, column: str, rec: Record) -> bool:
        value = rec.values.get(column, "")
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits", "bad_card_check") and len(value) < 18:
            return False
        if kind == "legacy_15_digit":
            person = person_of(rec, column) if person_of else None
            return person is not None and person.birth_date.year <= 1984
        if kind == "bad_date":
            return bool(value)
        if kind == "stale" and person_of is not None:
            person = person_of(rec, column)
            return person is None or person.birth_date < stale_born_before
        return True

    return eligible


def inject_about_residents(records: list[Record], feed: FeedDefects, env: FeedEnv, rng: random.Random) -> None:
    """:func:`inject` for records drawn about one resident (``rec.context``), who lives in ``rec.context.house``."""
    inject(records, feed, env, rng, person_of=lambda rec, col: rec.context,
           house_of=lambda rec, col: rec.context.house)


def inject(records: list[Record], feed: FeedDefects, env: FeedEnv, rng: random.Random, *,
           person_of: PersonOf | None = None, house_of: HouseOf | None = None) -> None:
    """Plan and apply the feed's defects to one chunk (a grid) of records; record what each breaks."""
    defects.plan(records, feed, rng, eligible_for(env, person_of))
    for rec in records:
        for kind, column in rec.planned:
            old = rec.values[column]
            if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
                value = defects.bad_id(kind, old, rng)
            elif kind == "bad_unit_id":
                from simulator.feeds.ziranziyuan import bad_unit_id

                value = bad_unit_id(old, rng)
            elif kind == "bad_card_check":  # an ID-based card number (残疾人证号): its ID part's check fails
                value = defects.bad_id("bad_check_digit", old[:18], rng) + old[18:]
            elif kind == "missing_required":
                value = ""
            elif kind == "bad_date":
                value = defects.bad_date(dt.datetime.strptime(old, env.date_format).date(), env, rng)
            elif kind == "bad_phone":
                value = defects.bad_phone(rng)
            elif kind == "unresolvable_address":
                value = defects.unresolvable_address(house_of(rec, column), rng)
            elif kind == "address_variant":
                value = defects.address_variant(house_of(rec, column), rng)
            elif kind == "stale":
                value = defects.stale_timestamp(env, rng).strftime(env.timestamp_format)
            elif kind == "bad_division":
                value = defects.bad_division(rng)
            else:
                raise ValueError(f"defect {kind} is not applied by simulator.feeds.damage")
            rec.values[column] = value
            rec.defects.append(kind)
            rid = defects.rule_id(kind, column)
            if rid:
                rec.broken.add(rid)


def chosen(key: str, salt: str, share: float) -> bool:
    """A stable draw per entity and purpose (the same persons every day, whatever else the grid holds).

    A cryptographic hash keeps the purposes independent: CRC-32 is linear, so two of its draws on one key
    with different salts were strongly dependent (a person drawn as insured was drawn as employed too)."""
    digest = hashlib.blake2b(f"{salt}/{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share
