"""Damage shared by the world-based feeds: plan a chunk's defects with ``simulator.defects.plan`` and apply
each through the feed's own mutation, recording the kind and the ``<column>:<rule>`` it breaks."""

from __future__ import annotations

import random
from collections.abc import Callable

from simulator import defects, idnumbers
from simulator.defects import FeedDefects, Record

Mutate = Callable[[str, str, Record], str]  # (kind, column, record) → the damaged value


def damage(records: list[Record], feed: FeedDefects, rng: random.Random, mutate: Mutate,
           eligible: defects.Eligible = lambda kind, column, rec: True) -> None:
    defects.plan(records, feed, rng, eligible)
    for rec in records:
        for kind, column in rec.planned:
            rec.values[column] = mutate(kind, column, rec)
            rec.defects.append(kind)
            rid = defects.rule_id(kind, column)
            if rid:
                rec.broken.add(rid)


def bad_stats_code(code: str, rng: random.Random) -> str:
    """A 12-digit statistical code gone wrong the ways real exports do."""
    return rng.choice((
        code[:11],  # a digit lost
        "362201" + code[6:],  # a county code of another city
        code[:6] + "000" + (code[9:] if code[9:] != "000" else "001"),  # a village code with no township
        code[:11] + idnumbers.to_fullwidth(code[11]),  # a full-width digit
    ))

