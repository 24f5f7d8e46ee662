"""Build a world and write its truth tables, printing rows and CPU seconds per table (the scale benchmark).

    /usr/bin/time -v python -m simulator.world.measure --persons 1000000 --out /tmp/world --days 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

import simulator.truth  # noqa: F401  (pyarrow and the sink, imported before the clock starts)
from simulator.world import WorldBuilder, city_grids, make_population
from simulator.world.rows import SCHEMAS, day_tables, truth_rows, write
from simulator.world.vital import VitalState, day_changes


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 21))
    ap.add_argument("--days", type=int, default=1, help="daily tables and vital changes for this many days")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)

    def step(label: str, started: float, rows: int | str = "") -> float:
        now = time.process_time()
        print(f"{label:<22}{rows!s:>12}{now - started:>9.1f} s cpu", flush=True)
        return now

    t = time.process_time()
    population = make_population(args.seed, args.as_of)
    grids = city_grids(args.persons, args.seed, args.as_of, population)
    builder = WorldBuilder(args.seed, args.as_of, ids=population.ids)
    population_cpu = 0.0
    while True:
        t0 = time.process_time()
        grid = next(grids, None)
        population_cpu += time.process_time() - t0
        if grid is None:
            break
        builder.add_grid(grid)
    world = builder.finish()
    print(f"{'population (people.py)':<22}{args.persons:>12}{population_cpu:>9.1f} s cpu")
    t = step("world summary", t + population_cpu, len(world.grids))
    for name, (schema, rows) in truth_rows(world).items():
        n = write(args.out / f"{name}.parquet", schema, rows)
        t = step(name, t, n)
    state = VitalState(world)
    changes = []
    for k in range(args.days):
        day = args.as_of + dt.timedelta(days=k)
        for name, (schema, rows) in day_tables(world, day).items():
            n = write(args.out / f"{name}_{day:%Y%m%d}.parquet", schema, rows)
            t = step(f"{name} {day:%m-%d}", t, n)
        changes += day_changes(state, day, random.Random(f"{args.seed}/world/vital/{day}"))
    n = write(args.out / "vital_changes.parquet", SCHEMAS["vital_changes"], changes)
    step(f"vital_changes {args.days}d", t, n)


if __name__ == "__main__":
    main()
