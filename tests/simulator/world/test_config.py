"""Configuration: overrides by name, unknown names refused, and a rate change reshuffles only its own stream."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.world import build_world, city_grids
from simulator.world.config import WorldConfig

AS_OF = dt.date(2026, 11, 21)


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="nope"):
        WorldConfig().with_overrides({"nope": 1})
    with pytest.raises(ValueError, match="hotline2"):
        world = build_world(city_grids(1000, 3, AS_OF), 3, AS_OF, {"events": {"hotline2": {"per_person_year": 1}}})
        list(world.events_on("grid", AS_OF))


def test_a_rate_changes_its_own_entities_only():
    base = build_world(city_grids(3000, 3, AS_OF), 3, AS_OF)
    more = build_world(city_grids(3000, 3, AS_OF), 3, AS_OF, {"events": {"hotline": {"per_person_year": 0.5}},
                                                              "enterprises_per_1000": 40})
    day = AS_OF - dt.timedelta(days=1)
    assert len(list(more.events_on("hotline", day))) > 2 * len(list(base.events_on("hotline", day)))
    assert list(more.events_on("police", day)) == list(base.events_on("police", day))
    assert list(more.cameras()) == list(base.cameras())
    assert [g.row() for g in more.grids] == [g.row() for g in base.grids]
    assert sum(o["category"] == "enterprise" for o in more.orgs()) > 1.5 * sum(o["category"] == "enterprise" for o in base.orgs())
