"""Damage shared by the world-based feeds (and, through :mod:`simulator.feeds.damage`, the person-based
ones): plan a chunk's defects with ``simulator.defects.plan`` and apply each through the feed's own mutation,
recording the kind and the ``<column>:<rule>`` it breaks.

:func:`mutation` is the vocabulary of value mutations the feeds share (a blank, a bad ID number, phone,
division, credit code or statistical code, a code outside the list, an impossible date); a feed passes only
what is its own — its wrong codes and the true date a bad date is drawn around — and wraps it for a kind that
means something else in that feed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence

from simulator import defects, idnumbers
from simulator.defects import FeedDefects, FeedEnv, Record

Mutate = Callable[[str, str, Record], str]  # (kind, column, record) → the damaged value
TrueDate = Callable[[Record, str], dt.date]  # (record, column) → the date the column truly holds
ID_KINDS = ("bad_check_digit", "legacy_15_digit", "fullwidth_digits")


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


def mutation(rng: random.Random, what: str, *,
             wrong: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
             true_date: TrueDate | None = None, env: FeedEnv | None = None) -> Mutate:
    """The shared mutations of one value of ``what`` (a feed's name, for the error on a kind it cannot take).

    ``wrong``: the codes a clerk puts outside the list, one tuple for the feed or one per coded column;
    ``true_date`` with ``env``: what a bad date is drawn around (the event's day, the written date …).
    Every feed's files depend on how each kind draws on ``rng``: change a draw and they all change."""

    def mutate(kind: str, column: str, rec: Record) -> str:
        value = rec.values[column]
        if kind == "missing_required":
            return ""
        if kind in ID_KINDS:
            return defects.bad_id(kind, value, rng)
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "bad_uscc":
            from simulator.feeds.shichang import bad_uscc  # shichang damages through this module

            return bad_uscc(value, rng)
        if kind == "bad_stats_code":
            return bad_stats_code(value, rng)
        if kind == "wrong_code" and wrong is not None:
            return rng.choice(wrong[column] if isinstance(wrong, Mapping) else wrong)
        if kind == "bad_date" and true_date is not None and env is not None:
            return defects.bad_date(true_date(rec, column), env, rng)
        raise ValueError(f"defect {kind} does not apply to {what}")

    return mutate


def as_written(fmt: str) -> TrueDate:
    """The true date of a column that still holds it, written in ``fmt`` (at most one defect per column)."""
    return lambda rec, column: dt.datetime.strptime(rec.values[column], fmt).date()


def reported_day(rec: Record, column: str) -> dt.date:
    """An event record's true date: the day the world's event was reported (``rec.context`` is the event)."""
    return rec.context["reported_at"].date()


def bad_stats_code(code: str, rng: random.Random) -> str:
    """A 12-digit statistical code gone wrong the ways real exports do."""
    return rng.choice((
        code[:11],  # a digit lost
        "362201" + code[6:],  # a county code of another city
        code[:6] + "000" + (code[9:] if code[9:] != "000" else "001"),  # a village code with no township
        code[:11] + idnumbers.to_fullwidth(code[11]),  # a full-width digit
    ))

