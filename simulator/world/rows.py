"""The world's ground truth as Parquet-ready rows: one pyarrow schema and one row iterator per table.

``truth_rows(world)`` → ``{table: (schema, rows)}`` for the as-of city; ``day_tables(world, day)`` the
tables that change daily (camera status, hourly captures, event updates). The integrator writes them with
``simulator.truth.ParquetSink(path, schema)`` (``write(path, schema, rows)`` below does exactly that), to
``sim/truth/<table>.parquet``. Every iterator is lazy: tables of a 5M city stream in constant memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from simulator.world import cameras as _cameras
from simulator.world import events as _events
from simulator.world.divisions import division_rows, natural_village_rows
from simulator.world.indicators import EventTally, indicators

if TYPE_CHECKING:
    from simulator.world import World

S, B, D, TS, F, I = pa.string(), pa.bool_(), pa.date32(), pa.timestamp("s"), pa.float64(), pa.int64()

SCHEMAS: dict[str, pa.Schema] = {
    "divisions": pa.schema([("code", S), ("name", S), ("level", S), ("parent_code", S), ("urban_rural_code", S),
                            ("kind", S), ("has_service_facility", pa.bool_())]),
    "natural_villages": pa.schema([("natural_village_code", S), ("name", S), ("village_code", S), ("village_name", S),
                                   ("township_code", S), ("district_code", S), ("lat", F), ("lon", F)]),
    "grids": pa.schema([("grid_code", S), ("grid_std_code", S), ("district_code", S), ("township_code", S),
                        ("village_code", S), ("is_urban", B), ("lat", F), ("lon", F), ("households", I), ("houses", I),
                        ("persons", I), ("floating_persons", I), ("grid_workers", I)]),
    "grid_workers": pa.schema([("worker_id", S), ("grid_code", S), ("person_key", S), ("name", S), ("id_number", S),
                               ("sex", S), ("birth_date", D), ("phone", S), ("role", S), ("start_date", D)]),
    "orgs": pa.schema([("uscc", S), ("org_code", S), ("name", S), ("org_type", S), ("category", S), ("industry", S),
                       ("legal_rep_name", S), ("legal_rep_id_number", S), ("legal_rep_person_key", S), ("address", S),
                       ("house_id", S), ("district_code", S), ("township_code", S), ("village_code", S),
                       ("grid_code", S), ("established_date", D), ("status", S), ("registered_capital", F),
                       ("is_hazardous_chemical", B), ("is_fire_key_unit", B), ("is_taxpayer", B), ("taxpayer_type", S),
                       ("school_type", S), ("students", I)]),
    "students": pa.schema([("school_uscc", S), ("person_key", S), ("age", I), ("grade", I), ("grid_code", S)]),
    "cameras": pa.schema([("device_id", S), ("name", S), ("resource_class", S), ("industry_code", S), ("type_code", S),
                          ("network_code", S), ("owner", S), ("capability", S), ("district_code", S),
                          ("township_code", S), ("village_code", S), ("natural_village_code", S), ("grid_code", S),
                          ("lat", F), ("lon", F), ("install_date", D), ("is_plan_point", B)]),
    "camera_status": pa.schema([("device_id", S), ("date", D), ("status", S), ("online_ratio", F)]),
    "camera_captures": pa.schema([("device_id", S), ("hour_start", TS), ("faces", I), ("motor_vehicles", I)]),
    "events": pa.schema([("event_id", S), ("kind", S), ("kind_name", S), ("department", S), ("channel", S),
                         ("category", S), ("subcategory", S), ("is_homicide", B), ("district_code", S),
                         ("township_code", S), ("village_code", S), ("grid_code", S), ("address", S), ("house_id", S),
                         ("lat", F), ("lon", F), ("reported_at", TS), ("dispatched_at", TS), ("due_at", TS),
                         ("closed_at", TS), ("evaluated_at", TS), ("outcome", S), ("satisfaction", S), ("status", S),
                         ("is_overdue", B)]),
    "vital_changes": pa.schema([("change", S), ("date", D), ("person_key", S), ("person_keys", pa.list_(S)),
                                ("id_number", S), ("name", S), ("sex", S), ("birth_date", D), ("age", I),
                                ("mother_person_key", S), ("population_type", S), ("household_id", S), ("house_id", S),
                                ("from_house_id", S), ("to_house_id", S), ("grid_code", S), ("from_grid_code", S),
                                ("to_grid_code", S), ("district_code", S), ("origin_code", S), ("origin_province", S),
                                ("registration_id", S)]),
    "indicators": pa.schema([("indicator_code", S), ("indicator", S), ("scope", S), ("value", F), ("target", F),
                             ("comparator", S), ("is_met", B), ("numerator", F), ("denominator", F),
                             ("target_source", S), ("period_start", D), ("period_end", D)]),
}


def _orgs_and_schools(world: "World") -> Iterator[dict]:
    yield from world.orgs()
    for school, _students in world.schools():
        yield school


def _students(world: "World") -> Iterator[dict]:
    for _school, students in world.schools():
        yield from students


def _tallied(events: Iterable[dict], tally: EventTally) -> Iterator[dict]:
    for e in events:
        tally.add(e)
        yield e
    tally.complete = True


def _lazy_indicators(world: "World", tally: EventTally) -> Iterator[dict]:
    # computed when the table is written (after the events, if they were written first: one pass over the year)
    yield from indicators(world, tally if tally.complete else None)


def truth_rows(world: "World", event_days: int = 365) -> dict[str, tuple[pa.Schema, Iterable[dict]]]:
    """The as-of city's truth tables (events: those reported in the ``event_days`` days before as-of).
    Write them in the order given: indicators then reuse the counts taken while the events were written."""
    tally = EventTally(world.as_of)
    return {
        "divisions": (SCHEMAS["divisions"], division_rows(world.townships, world.seed)),
        "natural_villages": (SCHEMAS["natural_villages"], natural_village_rows(world.townships)),
        "grids": (SCHEMAS["grids"], (g.row() for g in world.grids)),
        "grid_workers": (SCHEMAS["grid_workers"], world.grid_workers()),
        "orgs": (SCHEMAS["orgs"], _orgs_and_schools(world)),
        "students": (SCHEMAS["students"], _students(world)),
        "cameras": (SCHEMAS["cameras"], world.cameras()),
        "events": (SCHEMAS["events"], _tallied(world.event_history(event_days), tally) if event_days >= 365
                   else world.event_history(event_days)),
        "indicators": (SCHEMAS["indicators"], _lazy_indicators(world, tally)),
    }


def day_tables(world: "World", day: dt.date) -> dict[str, tuple[pa.Schema, Iterable[dict]]]:
    """What one simulated day adds: camera status and hourly captures, and the events that moved that day
    (reported, dispatched, closed or evaluated on it, as seen at its end). Vital changes are stateful:
    see ``simulator.world.vital.day_changes``."""
    reported = _cameras.reported_day(day)
    return {
        "camera_status": (SCHEMAS["camera_status"], world.camera_status(reported)),
        "camera_captures": (SCHEMAS["camera_captures"], world.camera_captures(reported)),
        "event_updates": (SCHEMAS["events"], _events.updates_on(world, day)),
    }


def write(path: Path, schema: pa.Schema, rows: Iterable[dict]) -> int:
    """Write rows to one Parquet file with the project's truth sink (batched, renamed into place)."""
    from simulator.truth import ParquetSink

    path.parent.mkdir(parents=True, exist_ok=True)
    sink = ParquetSink(path, schema)
    try:
        for row in rows:
            sink.add({name: row.get(name) for name in schema.names})
    except BaseException:
        sink.abort()
        raise
    sink.close()
    return sink.rows
