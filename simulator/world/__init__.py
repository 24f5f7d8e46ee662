"""The "one true city" beyond persons and rooms: divisions and villages, grids and grid workers,
organisations, cameras, events and vital changes — seeded, streamed, with their ground truth and the true
values of the plan's governance indicators.

The world is built from the population's grids as they stream past (the same grids the feeds are made of),
keeping only a compact summary per grid; organisations, cameras, events and camera status are regenerated
lazily from the seed whenever they are iterated, so memory grows with the grids, not with the entities.

    from simulator.world import build_world, city_grids
    world = build_world(city_grids(persons=10_000, seed=S, as_of=D), seed=S, as_of=D)
    # or, beside the feed writers (one pass over the city):
    builder = WorldBuilder(seed=S, as_of=D, ids=population.ids)
    for grid in ...: builder.add_grid(grid)     # after the grid's feed records are written
    world = builder.finish()

Streams: ``Random(f"{seed}/world/<stream>/<key>")`` (divisions per district, grids per grid, orgs per grid,
schools per township and level, cameras per village, events per kind and day, camera status per day and
camera): a new stream never reshuffles the others, nor the population's.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from simulator import idnumbers
from simulator.geography import CityMap
from simulator.people import GridPopulation, Population
from simulator.world import cameras as _cameras
from simulator.world import events as _events
from simulator.world import orgs as _orgs
from simulator.world.config import WorldConfig
from simulator.world.divisions import DivisionPlanner, Township, Village
from simulator.world.grids import GridInfo, summarise_grid
from simulator.world.persons import PersonRef, new_person, reserve

__all__ = ["World", "WorldBuilder", "WorldConfig", "build_world", "city_grids", "make_population"]


@dataclass
class World:
    seed: int | str
    as_of: dt.date
    config: WorldConfig
    townships: list[Township]
    grids: list[GridInfo]
    outsiders: tuple[PersonRef, ...]  # non-residents with valid IDs (legal representatives living elsewhere)
    ids: idnumbers.IdRegistry
    township_by_code: dict[str, Township] = field(init=False)
    village_by_code: dict[str, Village] = field(init=False)
    grid_by_code: dict[str, GridInfo] = field(init=False)
    township_unit: dict[str, int] = field(init=False)  # 28181 unit digits: position of the township in its district

    def __post_init__(self) -> None:
        self.township_by_code = {t.code: t for t in self.townships}
        self.village_by_code = {v.code: v for t in self.townships for v in t.villages}
        self.grid_by_code = {g.grid_code: g for g in self.grids}
        self.township_unit = {}
        seen: dict[str, int] = {}
        for t in self.townships:
            seen[t.district_code] = seen.get(t.district_code, 0) + 1
            if seen[t.district_code] > 99:
                raise ValueError(f"district {t.district_code} has more than 99 townships: 28181 unit codes overflow")
            self.township_unit[t.code] = seen[t.district_code]
        self._weights: dict[float, list[float]] = {}
        self._persons = sum(g.persons for g in self.grids)

    @property
    def persons(self) -> int:
        return self._persons

    @property
    def villages(self) -> list[Village]:
        return [v for t in self.townships for v in t.villages]

    def report_weights(self, urban_weight: float) -> list[float]:
        """Cumulative persons per grid (urban grids × ``urban_weight``): draw a grid with bisect."""
        if urban_weight not in self._weights:
            total, cum = 0.0, []
            for g in self.grids:
                total += g.persons * (urban_weight if g.is_urban else 1.0)
                cum.append(total)
            self._weights[urban_weight] = cum
        return self._weights[urban_weight]

    # -- lazily generated entities ----------------------------------------------------------------------
    def orgs(self) -> Iterator[dict]:
        """Enterprises, 个体工商户 and social organisations, grid by grid (schools: :meth:`schools`)."""
        for i, g in enumerate(self.grids):
            yield from _orgs.grid_orgs(self, g, i)

    def schools(self) -> Iterator[tuple[dict, list[dict]]]:
        return _orgs.schools(self)

    def cameras(self) -> Iterator[dict]:
        return _cameras.cameras(self)

    def camera_status(self, day: dt.date) -> Iterator[dict]:
        return _cameras.daily_status(self, day)

    def camera_captures(self, day: dt.date) -> Iterator[dict]:
        return _cameras.hourly_captures(self, day)

    def events_on(self, kind: str, day: dt.date) -> Iterator[dict]:
        return _events.events_on(self, kind, day)

    def event_history(self, days: int = 365, kinds: tuple[str, ...] | None = None) -> Iterator[dict]:
        """Events reported in the ``days`` days before the as-of date, as seen at the as-of date."""
        return _events.history(self, self.as_of - dt.timedelta(days=days), self.as_of, kinds)

    def home_grid(self, person_key: str) -> str:
        """The grid a resident of the as-of city lives in (where each day's grid pass regenerates them):
        person keys are handed out grid by grid, so the grid is found by bisection."""
        if not hasattr(self, "_firsts"):
            self._firsts = [g.p_key[0] if g.p_key else 0 for g in self.grids]
        i = bisect.bisect_right(self._firsts, int(person_key[1:])) - 1
        return self.grids[max(i, 0)].grid_code

    def grid_workers(self) -> Iterator[dict]:
        for g in self.grids:
            yield from g.workers


class WorldBuilder:
    """Collects the grids of the population as they stream past, then makes the :class:`World`."""

    def __init__(self, seed: int | str, as_of: dt.date, config: WorldConfig | dict | None = None,
                 ids: idnumbers.IdRegistry | None = None) -> None:
        self.seed, self.as_of = seed, as_of
        self.config = config if isinstance(config, WorldConfig) else WorldConfig().with_overrides(config)
        # The population's registry, when given, already holds every resident's number; otherwise each
        # resident's number is reserved here as its grid arrives.
        self._reserve = ids is None
        self.ids = ids or idnumbers.IdRegistry()
        self.planner = DivisionPlanner(seed)
        self.grids: list[GridInfo] = []

    def add_grid(self, grid: GridPopulation) -> GridInfo:
        if self._reserve:
            for hh in grid.households:
                for p in hh.members:
                    reserve(self.ids, p.id_number)
        village = self.planner.assign(grid.grid_code, grid.district)
        info = summarise_grid(grid, village, len(village.grid_codes), self.seed, self.as_of, self.config, self.ids)
        self.grids.append(info)
        return info

    def finish(self) -> World:
        rng = random.Random(f"{self.seed}/world/outsiders")
        persons = sum(g.persons for g in self.grids)
        districts = sorted({g.district_code for g in self.grids}) or ["360902"]
        outsiders = tuple(new_person(rng, self.ids, self.as_of, age=rng.randint(25, 65),
                                     home_district=rng.choice(districts), address="")
                          for _ in range(200 + persons // 200))
        return World(self.seed, self.as_of, self.config, self.planner.townships(), self.grids, outsiders, self.ids)


def build_world(grids: Iterable[GridPopulation], seed: int | str, as_of: dt.date,
                config: WorldConfig | dict | None = None, ids: idnumbers.IdRegistry | None = None) -> World:
    """The world of a stream of grids (e.g. :func:`city_grids`). Pass the population's ID registry as ``ids``
    when you have it (saves reserving every resident's number again)."""
    builder = WorldBuilder(seed, as_of, config, ids)
    for grid in grids:
        builder.add_grid(grid)
    return builder.finish()


def make_population(seed: int, as_of: dt.date) -> Population:
    """The population exactly as ``simulator.city.simulate`` makes it for this seed (same streams)."""
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return Population(random.Random(f"{seed}/people"), fake, CityMap(random.Random(f"{seed}/geography")), as_of)


def city_grids(persons: int, seed: int, as_of: dt.date, population: Population | None = None) -> Iterator[GridPopulation]:
    """The grids of the city ``simulate(persons=…, seed=…, as_of=…)`` writes, in the same order."""
    population = population or make_population(seed, as_of)
    left = persons
    while left > 0:
        grid = population.grid(left)
        left -= sum(len(h.members) for h in grid.households)
        yield grid
