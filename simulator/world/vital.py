"""Births, deaths, moves between rooms and new floating registrations, one simulated day at a time.

``state = VitalState(world)`` starts from the as-of city; ``day_changes(state, day, rng)`` draws the day's
changes, applies them to the state and returns them as rows (a few hundred a day for 5M people), so the
daily deltas of issue 3 item 5 are ``[day_changes(state, d, Random(f"{seed}/world/vital/{d}")) for d in days]``
in order. The state copies a grid's person arrays only when a change touches it (copy on write): the
world itself keeps describing the as-of city.

Newborns get 3609xx address codes of their district, their birth date and a sequence whose parity is their
sex; new floating residents era-correct codes of their origin county; both through the world's ID registry,
so no number is issued twice; the new numbers are kept in the state, not in the world, so replaying the same
days from the same world gives the same numbers. Rows carry keys and ID numbers, not residents' names (the
world does not keep 5M names): a renderer that needs a dead or moving person's name joins the persons truth
on ``person_key``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from array import array
from typing import TYPE_CHECKING

from simulator import idnumbers
from simulator.world.events import _poisson
from simulator.world.persons import name as make_name

if TYPE_CHECKING:
    from simulator.world import World
    from simulator.world.grids import GridInfo


def _mortality(age: int) -> float:
    """Relative yearly mortality by age (Gompertz-like), 1.0 at 100."""
    return min(1.0, math.exp(0.085 * (age - 100)) + (0.002 if age < 1 else 0.0))


def _id(id17: int) -> str:
    first17 = f"{id17:017d}"
    return first17 + idnumbers.check_char(first17)


class _LayeredIds(idnumbers.IdRegistry):
    """Issues numbers unique against the world's registry without adding to it, so two runs of the same days
    from the same world issue the same numbers."""

    def __init__(self, base: idnumbers.IdRegistry) -> None:
        super().__init__()
        self._base = base

    def issue(self, address_code: str, birth: dt.date, male: bool, rng: random.Random) -> str:
        prefix = f"{address_code}{birth:%Y%m%d}"
        for _ in range(1000):
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            key = int(prefix + f"{seq:03d}")
            if key not in self._issued and key not in self._base._issued:
                self._issued.add(key)
                return idnumbers.make_id(address_code, birth, seq)
        raise RuntimeError(f"sequence numbers exhausted for {prefix}")


class VitalState:
    def __init__(self, world: "World") -> None:
        self.world = world
        self.ids = _LayeredIds(world.ids)
        self.dead: set[int] = set()
        self._copied: set[str] = set()
        self.grids: list[GridInfo] = list(world.grids)
        self.index = {g.grid_code: i for i, g in enumerate(self.grids)}
        self.next_person = max((max(g.p_key) for g in self.grids if g.p_key), default=0) + 1
        self.next_household = max((max(g.p_household) for g in self.grids if g.p_household), default=0) + 1
        self.persons = sum(len(g.p_key) for g in self.grids)

    def _writable(self, i: int) -> "GridInfo":
        g = self.grids[i]
        if g.grid_code not in self._copied:
            from dataclasses import replace
            g = replace(g, p_key=array("L", g.p_key), p_birth=array("L", g.p_birth), p_flags=array("B", g.p_flags),
                        p_household=array("L", g.p_household), p_house=array("L", g.p_house),
                        p_id17=array("Q", g.p_id17), vacant=array("L", g.vacant))
            self.grids[i] = g
            self._copied.add(g.grid_code)
        return g

    def _grid_index(self, rng: random.Random) -> int:
        cum = self.world.report_weights(1.0)
        return bisect.bisect_right(cum, rng.random() * cum[-1])

    def _house_id(self, g: "GridInfo", serial: int) -> str:
        return f"F{g.district_code}{serial:09d}"


def _birth(state: VitalState, day: dt.date, rng: random.Random) -> dict | None:
    for _ in range(50):
        i = state._grid_index(rng)
        g = state.grids[i]
        if not g.p_key:
            continue
        j = rng.randrange(len(g.p_key))
        age = (day.toordinal() - g.p_birth[j]) // 365
        if g.p_flags[j] & 1 or not 20 <= age <= 45 or g.p_key[j] in state.dead:
            continue
        g = state._writable(i)
        male = rng.random() < 0.53
        # a floating mother's child is registered where she is (her number's code), if that code still exists
        code = f"{g.p_id17[j]:017d}"[:6] if g.p_flags[j] & 2 else g.district_code
        if not idnumbers.in_force(code, day.year):
            code = g.district_code
        id_number = state.ids.issue(code, day, male, rng)
        key = state.next_person
        state.next_person += 1
        state.persons += 1
        for arr, value in ((g.p_key, key), (g.p_birth, day.toordinal()), (g.p_flags, (1 if male else 0) | (g.p_flags[j] & 2)),
                           (g.p_household, g.p_household[j]), (g.p_house, g.p_house[j]), (g.p_id17, int(id_number[:17]))):
            arr.append(value)
        return {"change": "birth", "date": day, "person_key": f"P{key:09d}", "id_number": id_number,
                "name": make_name(rng, male), "sex": "男" if male else "女", "birth_date": day,
                "mother_person_key": f"P{g.p_key[j]:09d}", "household_id": f"{g.district_code}{g.p_household[j]:07d}",
                "house_id": state._house_id(g, g.p_house[j]), "grid_code": g.grid_code, "district_code": g.district_code,
                "population_type": "流动" if g.p_flags[j] & 2 else "户籍"}
    return None


def _death(state: VitalState, day: dt.date, rng: random.Random) -> dict | None:
    for _ in range(2000):
        g = state.grids[state._grid_index(rng)]
        if not g.p_key:
            continue
        j = rng.randrange(len(g.p_key))
        age = (day.toordinal() - g.p_birth[j]) // 365
        if g.p_key[j] in state.dead or rng.random() > _mortality(age):
            continue
        state.dead.add(g.p_key[j])
        state.persons -= 1
        return {"change": "death", "date": day, "person_key": f"P{g.p_key[j]:09d}", "id_number": _id(g.p_id17[j]),
                "sex": "男" if g.p_flags[j] & 1 else "女", "age": age, "house_id": state._house_id(g, g.p_house[j]),
                "grid_code": g.grid_code, "district_code": g.district_code}
    return None


def _move(state: VitalState, day: dt.date, rng: random.Random) -> dict | None:
    for _ in range(50):
        i = state._grid_index(rng)
        g = state.grids[i]
        if not g.p_key:
            continue
        j = rng.randrange(len(g.p_key))
        if g.p_key[j] in state.dead:
            continue
        # destination: a vacant room of the same grid, else of another grid of the district
        if g.vacant and rng.random() < 0.6:
            k = i
        else:
            same = [n for n, o in enumerate(state.grids) if o.district_code == g.district_code and o.vacant]
            if not same:
                return None
            k = rng.choice(same)
        g = state._writable(i)
        dest = state._writable(k)
        household, old = g.p_household[j], g.p_house[j]
        room = dest.vacant.pop(rng.randrange(len(dest.vacant)))
        members = [m for m in range(len(g.p_key)) if g.p_household[m] == household and g.p_key[m] not in state.dead]
        keys = [g.p_key[m] for m in members]
        if k == i:
            for m in members:
                g.p_house[m] = room
        else:
            for m in sorted(members, reverse=True):
                for name in ("p_key", "p_birth", "p_flags", "p_household", "p_id17"):
                    getattr(dest, name).append(getattr(g, name)[m])
                dest.p_house.append(room)
                for name in ("p_key", "p_birth", "p_flags", "p_household", "p_house", "p_id17"):
                    del getattr(g, name)[m]
        g.vacant.append(old)
        return {"change": "move", "date": day, "household_id": f"{g.district_code}{household:07d}",
                "person_keys": [f"P{p:09d}" for p in keys], "from_house_id": state._house_id(g, old),
                "to_house_id": state._house_id(dest, room), "from_grid_code": g.grid_code, "to_grid_code": dest.grid_code}
    return None


def _floating(state: VitalState, day: dt.date, rng: random.Random) -> dict | None:
    for _ in range(50):
        i = state._grid_index(rng)
        if not state.grids[i].vacant:
            continue
        g = state._writable(i)
        age = rng.randint(18, 55)
        birth = day - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
        prov, prov_name, _w = rng.choices(idnumbers.ORIGIN_PROVINCES, weights=[w for *_, w in idnumbers.ORIGIN_PROVINCES])[0]
        codes = idnumbers.origin_codes(prov, birth.year)
        if not codes:
            continue
        code = rng.choice(codes)
        male = rng.random() < 0.6
        id_number = state.ids.issue(code, birth, male, rng)
        room = g.vacant.pop(rng.randrange(len(g.vacant)))
        key, household = state.next_person, state.next_household
        state.next_person += 1
        state.next_household += 1
        state.persons += 1
        for arr, value in ((g.p_key, key), (g.p_birth, birth.toordinal()), (g.p_flags, (1 if male else 0) | 2),
                           (g.p_household, household), (g.p_house, room), (g.p_id17, int(id_number[:17]))):
            arr.append(value)
        return {"change": "floating_registration", "date": day, "person_key": f"P{key:09d}", "id_number": id_number,
                "name": make_name(rng, male), "sex": "男" if male else "女", "birth_date": birth,
                "origin_code": code, "origin_province": prov_name,
                "household_id": f"{g.district_code}{household:07d}", "house_id": state._house_id(g, room),
                "grid_code": g.grid_code, "district_code": g.district_code,
                "registration_id": f"ZZ{g.district_code}{day:%Y%m%d}{key % 10**6:06d}"}
    return None


def day_changes(state: VitalState, day: dt.date, rng: random.Random) -> list[dict]:
    """Draw, apply and return the day's births, deaths, moves and floating registrations (in that order)."""
    cfg = state.world.config
    out: list[dict] = []
    for rate, make in ((cfg.birth_rate, _birth), (cfg.death_rate, _death), (cfg.move_rate / 2.9, _move),
                       (cfg.new_floating_rate * 0.25, _floating)):
        for _ in range(_poisson(rng, state.persons * rate / 365)):
            change = make(state, day, rng)
            if change is not None:
                out.append(change)
    return out
