"""Grids (网格) as the 综治中心 registers them, and their grid workers (网格员).

A grid is exactly one grid of the CityMap (its rooms and residents are the grid's boundary), so the grid key
stays the CityMap's ``grid_code`` = ``<6-digit district code><6-digit serial in the district>``, which the
persons and houses truth already carry. The 综治 standard code of the grid, ``grid_std_code``, is the
12-digit 统计用区划代码 of its 村/社区 followed by a 3-digit serial within it (15 digits).

Each grid gets 1–3 grid workers, residents of the grid where one of working age lives there (else a
generated person with a valid ID); ``WorldConfig.grid_without_worker`` of the grids get none, so the plan's
"≥1 网格员 per grid" indicator is computable and not trivially met.

:class:`GridInfo` is what the world keeps of a grid after the population has streamed past: counts, a few
residents and rooms to draw legal representatives, addresses and event locations from, school-age children,
and compact per-person arrays (a few dozen bytes a person) for the daily vital changes.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from dataclasses import dataclass, field

from simulator.address import standard_address
from simulator.people import LIUDONG, GridPopulation
from simulator.world.config import WorldConfig
from simulator.world.divisions import Village, point_near
from simulator.world.persons import PersonRef, new_person, person_ref

ADULT_SAMPLE = 40  # residents kept per grid to draw legal representatives and reporters from
PLACE_SAMPLE = 16  # rooms kept per grid as addresses of organisations and events
SCHOOL_AGES = range(6, 18)  # 6–17: primary (6–11), junior middle (12–14), senior middle (15–17)


@dataclass(frozen=True)
class Place:
    house_id: str
    address: str
    usage: str


@dataclass
class GridInfo:
    grid_code: str
    grid_std_code: str
    district_code: str
    township_code: str  # 9 digits
    village_code: str  # 12 digits
    is_urban: bool
    lat: float
    lon: float
    households: int
    houses: int
    persons: int
    floating: int
    adults: tuple[PersonRef, ...]
    places: tuple[Place, ...]
    child_keys: array  # person numbers of every school-age resident, and their ages (arrays: ~5 bytes each)
    child_ages: array
    workers: list[dict] = field(default_factory=list)
    # per resident, aligned: person number (P000000123 → 123), birth (date ordinal), flags (1 male, 2 floating),
    # household number, house serial (F<district><9 digits> → the 9 digits), first 17 digits of the ID number
    p_key: array = field(default_factory=lambda: array("L"))
    p_birth: array = field(default_factory=lambda: array("L"))
    p_flags: array = field(default_factory=lambda: array("B"))
    p_household: array = field(default_factory=lambda: array("L"))
    p_house: array = field(default_factory=lambda: array("L"))
    p_id17: array = field(default_factory=lambda: array("Q"))
    vacant: array = field(default_factory=lambda: array("L"))  # house serials of empty rooms

    def row(self) -> dict:
        return {"grid_code": self.grid_code, "grid_std_code": self.grid_std_code, "district_code": self.district_code,
                "township_code": self.township_code + "000", "village_code": self.village_code,
                "is_urban": self.is_urban, "lat": self.lat, "lon": self.lon, "households": self.households,
                "houses": self.houses, "persons": self.persons, "floating_persons": self.floating,
                "grid_workers": len(self.workers)}


def _workers(grid: GridPopulation, info: GridInfo, rng: random.Random, as_of: dt.date, config: WorldConfig,
             ids) -> list[dict]:
    if rng.random() < config.grid_without_worker:
        return []
    n = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    candidates = [p for p in grid.persons if 22 <= (as_of - p.birth_date).days // 365 <= 55]
    rng.shuffle(candidates)
    out = []
    for k in range(n):
        if k < len(candidates):
            ref = person_ref(candidates[k])
            if not ref.phone:
                ref = ref.with_phone(rng)
        else:
            ref = new_person(rng, ids, as_of, age=rng.randint(25, 50), home_district=info.district_code,
                             address=info.places[0].address if info.places else "")
        out.append({
            "worker_id": f"WGY{info.grid_code}{k + 1:02d}", "grid_code": info.grid_code, "person_key": ref.person_key or None,
            "name": ref.name, "id_number": ref.id_number, "sex": ref.sex, "birth_date": ref.birth_date,
            "phone": ref.phone, "role": "专职网格员" if k == 0 and rng.random() < 0.7 else "兼职网格员",
            "start_date": as_of - dt.timedelta(days=rng.randint(30, 6 * 365)),
        })
    return out


def summarise_grid(grid: GridPopulation, village: Village, serial_in_village: int, seed: int | str,
                   as_of: dt.date, config: WorldConfig, ids) -> GridInfo:
    """What the world keeps of one grid of the population, with its grid workers drawn."""
    rng = random.Random(f"{seed}/world/grids/{grid.grid_code}")
    persons = grid.persons
    adults = [p for p in persons if (as_of - p.birth_date).days >= 20 * 365]
    sample = rng.sample(adults, k=min(ADULT_SAMPLE, len(adults)))
    shops = [h for h in grid.houses if h.usage != "住宅"]
    homes = [h for h in grid.houses if h.usage == "住宅"]
    places = shops[:PLACE_SAMPLE] + rng.sample(homes, k=min(len(homes), max(0, PLACE_SAMPLE - len(shops))))
    lat, lon = point_near(rng, grid.district.code, village.lat, village.lon, 0.004 if village.is_urban else 0.012)
    child_keys, child_ages = array("L"), array("B")
    for p in persons:
        if (age := (as_of - p.birth_date).days * 100 // 36525) in SCHOOL_AGES:
            child_keys.append(int(p.person_key[1:]))
            child_ages.append(age)
    info = GridInfo(
        grid_code=grid.grid_code, grid_std_code=f"{village.code}{serial_in_village:03d}",
        district_code=grid.district.code, township_code=village.township_code, village_code=village.code,
        is_urban=village.is_urban, lat=lat, lon=lon, households=len(grid.households), houses=len(grid.houses),
        persons=len(persons), floating=sum(1 for p in persons if p.population_type == LIUDONG),
        adults=tuple(person_ref(p) for p in sample),
        places=tuple(Place(h.house_id, standard_address(h), h.usage) for h in places), child_keys=child_keys,
        child_ages=child_ages,
    )
    for p in persons:
        info.p_key.append(int(p.person_key[1:]))
        info.p_birth.append(p.birth_date.toordinal())
        info.p_flags.append((1 if p.male else 0) | (2 if p.population_type == LIUDONG else 0))
        info.p_household.append(int(p.household_id[6:]))
        info.p_house.append(int(p.house.house_id[7:]))
        info.p_id17.append(int(p.id_number[:17]))
    for house_id in sorted(grid.vacant):
        info.vacant.append(int(house_id[7:]))
    info.workers = _workers(grid, info, rng, as_of, config, ids)
    return info
