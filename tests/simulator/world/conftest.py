"""A 20,000-person world (20 grids, a few seconds), its truth tables written to Parquet and read back.

Rates that a world this small would rarely show (grids without workers, villages short of cameras) are
raised so the indicators have something to find."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from simulator.world import build_world, city_grids, make_population
from simulator.world.rows import truth_rows, write

AS_OF = dt.date(2026, 11, 21)
SEED = 20261121
PERSONS = 20_000
CONFIG = {"grid_without_worker": 0.15, "village_short_of_cameras": 0.3, "natural_village_short_of_cameras": 0.12}


class Residents:
    """Every resident's ID number and birth date, captured as the grids stream into the world."""

    def __init__(self) -> None:
        self.id_number: dict[str, str] = {}
        self.birth: dict[str, dt.date] = {}
        self.grid: dict[str, str] = {}
        self.vacant: set[str] = set()

    def tap(self, grids):
        for g in grids:
            for p in g.persons:
                self.id_number[p.person_key] = p.id_number
                self.birth[p.person_key] = p.birth_date
                self.grid[p.person_key] = g.grid_code
            self.vacant |= g.vacant
            yield g


@pytest.fixture(scope="session")
def residents_world():
    residents = Residents()
    population = make_population(SEED, AS_OF)
    world = build_world(residents.tap(city_grids(PERSONS, SEED, AS_OF, population)), SEED, AS_OF, CONFIG,
                        ids=population.ids)
    return residents, world


@pytest.fixture(scope="session")
def world(residents_world):
    return residents_world[1]


@pytest.fixture(scope="session")
def residents(residents_world):
    return residents_world[0]


@pytest.fixture(scope="session")
def truth(world, tmp_path_factory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("world_truth")
    tables = {}
    for name, (schema, rows) in truth_rows(world).items():
        write(out / f"{name}.parquet", schema, rows)
        tables[name] = pd.read_parquet(out / f"{name}.parquet")
    return tables
