"""The event timeline: ordered lifecycles, statuses as seen at a moment, ids, counts that follow the rates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from simulator.world import events
from tests.simulator.world.conftest import AS_OF, PERSONS


def test_lifecycles_are_ordered(truth):
    e = truth["events"]
    assert e["event_id"].is_unique
    assert (e["reported_at"] <= e["dispatched_at"]).all()
    closed = e[e["closed_at"].notna()]
    assert (closed["dispatched_at"] <= closed["closed_at"]).all()
    ev = e[e["evaluated_at"].notna()]
    assert (ev["closed_at"] <= ev["evaluated_at"]).all()
    assert e["evaluated_at"].isna().eq(e["satisfaction"].isna()).all()
    at = pd.Timestamp(AS_OF)
    for col in ("reported_at", "dispatched_at", "closed_at", "evaluated_at"):
        assert (e[col].dropna() <= at).all()  # as seen at the as-of date: nothing from the future
    assert e["reported_at"].min() >= pd.Timestamp(AS_OF - dt.timedelta(days=365))


def test_status_and_overdue_follow_the_timestamps(truth):
    e = truth["events"]
    expected = e["evaluated_at"].notna().map({True: "已评价", False: None})
    expected = expected.fillna(e["closed_at"].notna().map({True: "已办结", False: "已派遣"}))
    assert (e["status"] == expected).all()
    end = e["closed_at"].fillna(pd.Timestamp(AS_OF))
    assert (e["is_overdue"] == (end > e["due_at"])).all()
    assert e["is_overdue"].any() and (~e["is_overdue"]).any()
    due = e[e["due_at"] <= pd.Timestamp(AS_OF)]
    assert due["closed_at"].isna().any()  # some are never closed


def test_counts_follow_the_rates(truth):
    e = truth["events"]
    counts = e["kind"].value_counts()
    for kind in ("hotline", "police", "grid", "urban"):
        expected = events.KINDS[kind].per_person_year * PERSONS
        assert 0.8 * expected < counts[kind] < 1.2 * expected, kind
    assert set(e["kind"]) >= {"hotline", "police", "grid", "petition", "dispute", "urban", "civil", "environment"}
    hotline = e[e["kind"] == "hotline"].dropna(subset=["satisfaction"])
    assert 0.95 < hotline["satisfaction"].isin(["满意", "基本满意"]).mean() < 0.995


def test_locations_are_the_worlds(truth, world):
    e, grids = truth["events"], truth["grids"].set_index("grid_code")
    assert e["grid_code"].isin(grids.index).all()
    assert (e["grid_code"].map(grids["village_code"]) == e["village_code"]).all()
    assert e["address"].str.startswith("江西省宜春市").all()


def test_a_day_is_the_same_however_it_is_reached(world):
    day = AS_OF + dt.timedelta(days=3)
    first = list(world.events_on("hotline", day))
    assert first == list(world.events_on("hotline", day))
    updates = list(events.updates_on(world, day, ("hotline",)))
    start, end = dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    assert all(any(u[s] is not None and start <= u[s] < end
                   for s in ("reported_at", "dispatched_at", "closed_at", "evaluated_at")) for u in updates)
    assert {u["event_id"] for u in updates} >= {e["event_id"] for e in first}
