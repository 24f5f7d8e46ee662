"""Same seed ⇒ the same rows in every table (also in another process); another seed ⇒ other rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys

from simulator.world import build_world, city_grids
from simulator.world.rows import truth_rows

AS_OF = dt.date(2026, 11, 21)
CODE = """
import datetime, hashlib, sys
from simulator.world import build_world, city_grids
from simulator.world.rows import truth_rows
as_of = datetime.date(2026, 11, 21)
seed = int(sys.argv[1])
world = build_world(city_grids(1000, seed, as_of), seed, as_of)
for name, (schema, rows) in truth_rows(world, event_days=30).items():
    h = hashlib.sha256()
    n = 0
    for r in rows:
        h.update(repr(sorted(r.items())).encode()); n += 1
    print(name, n, h.hexdigest())
"""


def _digests(seed: int, hashseed: str) -> dict[str, tuple[int, str]]:
    out = subprocess.run([sys.executable, "-c", CODE, str(seed)], check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": hashseed}).stdout
    return {name: (int(n), h) for name, n, h in (line.split() for line in out.splitlines())}


def test_same_seed_same_rows_across_processes():
    first, second = _digests(7, "1"), _digests(7, "999")
    assert len(first) == 9 and first == second
    assert all(n > 0 for n, _ in first.values())


def test_in_process_equals_another_process():
    world = build_world(city_grids(1000, 7, AS_OF), 7, AS_OF)
    here = {}
    for name, (schema, rows) in truth_rows(world, event_days=30).items():
        h, n = hashlib.sha256(), 0
        for r in rows:
            h.update(repr(sorted(r.items())).encode())
            n += 1
        here[name] = (n, h.hexdigest())
    assert here == _digests(7, "3")


def test_other_seed_other_rows():
    first, other = _digests(7, "1"), _digests(8, "1")
    assert all(first[k][1] != other[k][1] for k in first)
