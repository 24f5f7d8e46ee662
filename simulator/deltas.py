"""Daily deltas: what changes in the city after the full load, planned once and replayed each day.

Day 0 is the full load. For days 1..D the city is generated again from the same seed (so it is the same
city, grid by grid, with memory bounded as on day 0) and the changes planned for days ≤ d are applied on
top before the feeds draw their records. The plan is small: one entry per change.

Changes today: **moves** — a person moves into a vacant room of their grid (a floating resident's move is
a new 暂住登记 with a new registration number). The world engineer's ``simulator/world/vital.py`` (births,
deaths, new registrations) and event updates plug in as further :class:`ChangeSource` objects: each plans
its changes per grid on day 0 and applies them to a regenerated grid on day d.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Protocol

DEFAULT_MOVE_RATE = 0.002  # per person per day: far above a real city's, so a 1,000-person city shows moves


@dataclass(frozen=True)
class Move:
    day: int
    at: dt.datetime
    person_key: str
    from_house: str
    to_house: str
    no: int  # city-wide move number (a floating resident's new registration number uses it)


class ChangeSource(Protocol):
    def plan_grid(self, ctx) -> list[dict]:
        """Day 0: plan this grid's changes for days 1..D; return truth rows for ``changes.parquet``."""

    def apply(self, ctx) -> None:
        """Day d ≥ 1: apply the changes in force to the regenerated grid; fill ``ctx.moved``/``ctx.changed``."""


class Moves:
    """Persons moving into vacant rooms of their own grid (rooms without register defects)."""

    def __init__(self, days: int, as_of: dt.date, rng: random.Random, rate: float = DEFAULT_MOVE_RATE) -> None:
        self.days = days
        self.as_of = as_of
        self.rng = rng
        self.rate = rate
        self.by_person: dict[str, list[Move]] = {}
        self._no = 0

    def plan_grid(self, ctx) -> list[dict]:
        if self.days < 1 or not ctx.people:
            return []
        damaged = {r.entity_key for r in ctx.records.get("zhujian.fangwu", ()) if r.defects}
        free = sorted(h for h in ctx.grid.vacant if h not in damaged)
        where = {p.person_key: p.house.house_id for p in ctx.people}
        rows = []
        for day in range(1, self.days + 1):
            expected = self.rate * len(ctx.people)
            count = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
            for p in self.rng.sample(ctx.people, min(count, len(ctx.people), len(free))):
                to = free.pop(self.rng.randrange(len(free)))
                self._no += 1
                date = self.as_of + dt.timedelta(days=day - 1)  # happens during the day before delivery d
                at = dt.datetime.combine(date, dt.time(8)) + dt.timedelta(seconds=self.rng.randrange(10 * 3600))
                move = Move(day, at, p.person_key, where[p.person_key], to, self._no)
                where[p.person_key] = to
                self.by_person.setdefault(p.person_key, []).append(move)
                rows.append({"day": day, "date": self.as_of + dt.timedelta(days=day), "changed_at":
                             at.strftime("%Y-%m-%d %H:%M:%S"), "kind": "move", "entity_key": p.person_key,
                             "from_house_id": move.from_house, "to_house_id": to,
                             "detail": p.population_type})
        return rows

    def apply(self, ctx) -> None:
        houses = {h.house_id: h for h in ctx.grid.houses}
        for p in ctx.people:
            moves = [m for m in self.by_person.get(p.person_key, ()) if m.day <= ctx.day]
            if moves:
                p.house = houses[moves[-1].to_house]
                ctx.moved[p.person_key] = moves[-1]
                if moves[-1].day == ctx.day:
                    ctx.changed.add(p.person_key)
