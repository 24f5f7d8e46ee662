"""Applying a feed's planned defects to records drawn from persons and houses.

The person- and house-based department feeds share the same mutations (see :mod:`simulator.defects`);
each feed says, per record, which person an ID column belongs to (for the 15-digit era check) and which
house an address column describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Collection, Mapping, Sequence
from typing import Callable

from simulator import defects
from simulator.defects import FeedDefects, FeedEnv, Record
from simulator.feeds import world_damage

PersonOf = Callable[[Record, str], object]  # (record, column) → the Person the column describes
HouseOf = Callable[[Record, str], object]  # (record, column) → the House an address column describes


def eligible_for(env: FeedEnv, person_of: PersonOf | None, *, filled: Collection[str] = ()):
    """Which (kind, column) a record can take. ``filled``: kinds that need a value to damage (a blank phone
    cannot be mistyped); a feed that names none keeps the older rule, which its files were drawn with."""
    stale_born_before = env.as_of - dt.timedelta(days=(env.reverify_days or 365) + 1000)

    def eligible(kind: str, column: str, rec: Record) -> bool:
        value = rec.values.get(column, "")
        if kind in filled:
            return bool(value)
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
           person_of: PersonOf | None = None, house_of: HouseOf | None = None,
           wrong: Sequence[str] | Mapping[str, Sequence[str]] | None = None, filled: Collection[str] = (),
           what: str = "a person feed") -> None:
    """Plan and apply the feed's defects to one chunk (a grid) of records; record what each breaks."""
    world_damage.damage(records, feed, rng, mutation(env, rng, house_of=house_of, wrong=wrong, what=what),
                        eligible_for(env, person_of, filled=filled))


def mutation(env: FeedEnv, rng: random.Random, *, house_of: HouseOf | None = None,
             wrong: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
             what: str = "a person feed") -> world_damage.Mutate:
    """The person-record mutations: the shared ones (:func:`simulator.feeds.world_damage.mutation`, a bad
    date drawn around the date the column holds) plus those only a person's record has — an address of
    the person's house gone wrong, a card number, a stale update time."""
    shared = world_damage.mutation(rng, what, wrong=wrong, env=env,
                                   true_date=world_damage.as_written(env.date_format))

    def mutate(kind: str, column: str, rec: Record) -> str:
        old = rec.values[column]
        if kind == "bad_unit_id":
            from simulator.feeds.ziranziyuan import bad_unit_id

            return bad_unit_id(old, rng)
        if kind == "bad_card_check":  # an ID-based card number (残疾人证号): its ID part's check fails
            return defects.bad_id("bad_check_digit", old[:18], rng) + old[18:]
        if kind == "unresolvable_address":
            return defects.unresolvable_address(house_of(rec, column), rng)
        if kind == "address_variant":
            return defects.address_variant(house_of(rec, column), rng)
        if kind == "stale":
            return defects.stale_timestamp(env, rng).strftime(env.timestamp_format)
        return shared(kind, column, rec)

    return mutate


def chosen(key: str, salt: str, share: float) -> bool:
    """A stable draw per entity and purpose (the same persons every day, whatever else the grid holds).

    A cryptographic hash keeps the purposes independent: CRC-32 is linear, so two of its draws on one key
    with different salts were strongly dependent (a person drawn as insured was drawn as employed too)."""
    digest = hashlib.blake2b(f"{salt}/{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share
