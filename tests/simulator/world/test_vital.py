"""Daily births, deaths, moves and floating registrations: valid new IDs, real persons and rooms."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric

from simulator.world.vital import VitalState, day_changes
from tests.simulator.world.conftest import AS_OF, SEED


def _run(world, days: int):
    state = VitalState(world)
    out = []
    for n in range(1, days + 1):
        day = AS_OF + dt.timedelta(days=n)
        out += day_changes(state, day, random.Random(f"{SEED}/world/vital/{day}"))
    return state, out


def test_thirty_days_of_changes(world, residents):
    _state, changes = _run(world, 30)
    kinds = {c["change"] for c in changes}
    assert kinds == {"birth", "death", "move", "floating_registration"}
    born = [c for c in changes if c["change"] == "birth"]
    for b in born:
        assert ric.is_valid(b["id_number"])
        assert b["id_number"].startswith("3609") or b["population_type"] == "流动"
        assert b["id_number"][:6] == b["district_code"] or b["population_type"] == "流动"
        assert b["id_number"][6:14] == f"{b['date']:%Y%m%d}" and b["birth_date"] == b["date"]
        assert int(b["id_number"][16]) % 2 == (1 if b["sex"] == "男" else 0)
        assert b["mother_person_key"] in residents.id_number or b["mother_person_key"] in {x["person_key"] for x in changes}
    new_ids = [c["id_number"] for c in changes if c["change"] in ("birth", "floating_registration")]
    assert len(set(new_ids)) == len(new_ids) and not set(new_ids) & set(residents.id_number.values())
    assert all(ric.is_valid(i) for i in new_ids)
    dead = [c for c in changes if c["change"] == "death"]
    assert len({d["person_key"] for d in dead}) == len(dead)
    assert all(residents.id_number.get(d["person_key"], d["id_number"]) == d["id_number"] for d in dead)
    moves = [c for c in changes if c["change"] == "move"]
    targets = [m["to_house_id"] for m in moves] + [c["house_id"] for c in changes if c["change"] == "floating_registration"]
    assert len(set(targets)) == len(targets)
    freed = {m["from_house_id"] for m in moves}
    assert all(t in residents.vacant or t in freed for t in targets)


def test_same_days_same_changes_and_the_world_is_untouched(world):
    before = [len(g.p_key) for g in world.grids], [list(g.vacant) for g in world.grids]
    _s1, first = _run(world, 5)
    _s2, second = _run(world, 5)
    assert first == second and len(first) > 5
    assert ([len(g.p_key) for g in world.grids], [list(g.vacant) for g in world.grids]) == before
