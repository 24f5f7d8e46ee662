"""simulate() builds the world in the same pass as the grids and writes its truth beside the feeds."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from simulator.world import build_world, city_grids, make_population
from simulator.world.rows import SCHEMAS
from tests.simulator.conftest import AS_OF, PERSONS, SEED

WORLD_TABLES = ("divisions", "natural_villages", "grids", "grid_workers", "orgs", "students", "cameras", "events",
                "indicators", "camera_status")


def _truth(city, name: str) -> pd.DataFrame:
    out, _ = city
    return pd.read_parquet(out / "sim" / "truth" / f"{name}.parquet")


def test_world_truth_tables_are_written_with_their_schemas(city):
    out, summary = city
    for name in WORLD_TABLES:
        df = _truth(city, name)
        assert list(df.columns) == SCHEMAS[name].names, name
        assert summary.get(f"world_{name}", len(df)) == len(df), name
    assert len(_truth(city, "grids")) == summary["grids"]
    assert _truth(city, "grids")["persons"].sum() == summary["persons"] == PERSONS
    assert len(_truth(city, "events")) > 0 and len(_truth(city, "cameras")) > 0


def test_the_world_is_the_one_the_feeds_were_drawn_from(city):
    """Same grids, same villages and workers as a world built on its own from the same seed."""
    population = make_population(SEED, AS_OF)
    world = build_world(city_grids(PERSONS, SEED, AS_OF, population), SEED, AS_OF, ids=population.ids)
    grids = _truth(city, "grids")
    assert list(grids["grid_code"]) == [g.grid_code for g in world.grids]
    assert list(grids["village_code"]) == [g.village_code for g in world.grids]
    workers = _truth(city, "grid_workers")
    assert list(workers["id_number"]) == [w["id_number"] for w in world.grid_workers()]
    persons = _truth(city, "persons")
    assert set(grids["grid_code"]) == set(persons["grid_code"])


def test_indicators_hold_true_values_against_targets(city):
    ind = _truth(city, "indicators")
    assert {"indicator", "scope", "value", "target", "is_met"} <= set(ind.columns)
    city_rows = ind[ind["scope"] == "360900"]
    assert len(city_rows) == city_rows["indicator_code"].nunique() >= 10
    computed = ind.dropna(subset=["numerator", "denominator"])
    computed = computed[computed["denominator"] > 0]
    ratio = computed[computed["indicator_code"] != "homicide_rate_per_100k"]
    assert ((ratio["numerator"] / ratio["denominator"] - ratio["value"]).abs() < 1e-9).all()
    ops = {">=": lambda v, t: v >= t, ">": lambda v, t: v > t, "<": lambda v, t: v < t, "<=": lambda v, t: v <= t}
    known = ind.dropna(subset=["value"])
    assert all(ops[r.comparator](r.value, r.target) == r.is_met for r in known.itertuples())


def test_events_cover_the_simulated_year(city):
    events = _truth(city, "events")
    reported = pd.to_datetime(events["reported_at"]).dt.date
    assert reported.max() < AS_OF + pd.Timedelta(days=1)
    assert (AS_OF - reported.min()).days > 300


def test_camera_status_is_for_the_day_before_the_as_of_day(city):
    # The as-of morning's export carries the end-of-day reports of the day before (the day its run checks).
    status = _truth(city, "camera_status")
    assert set(pd.to_datetime(status["date"]).dt.date) == {AS_OF - dt.timedelta(days=1)}
    assert set(status["device_id"]) == set(_truth(city, "cameras")["device_id"])


def test_delta_days_add_camera_status_and_event_updates(tmp_path):
    from simulator.city import simulate

    simulate(tmp_path, persons=300, seed=SEED, as_of=AS_OF, days=2)
    truth = tmp_path / "sim" / "truth"
    status = pd.read_parquet(truth / "camera_status.parquet")
    assert status.groupby("date")["device_id"].count().nunique() == 1 and status["date"].nunique() == 3
    assert (truth / "event_updates.parquet").exists()
