"""Same seed and as-of date ⇒ the same bytes in every file; another seed ⇒ another city."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, PERSONS, SEED


def _digests(root) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(city, tmp_path):
    """Also across processes: string hashing differs per process, so no set order may leak into a file."""
    out, _ = city
    again = tmp_path / "again"
    code = ("import datetime, pathlib, sys; from simulator.city import simulate; "
            f"simulate(pathlib.Path(sys.argv[1]), persons={PERSONS}, seed={SEED}, "
            f"as_of=datetime.date.fromisoformat('{AS_OF.isoformat()}'))")
    subprocess.run([sys.executable, "-c", code, str(again)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "12345"})
    first, second = _digests(out), _digests(again)
    # the core's 3 landing files, API store + registry and 5 truth files; the world's 10 truth tables; more feeds
    assert len(first) >= 10 + 10
    assert {"sim/truth/indicators.parquet", "sim/truth/events.parquet", "sim/api/registry.json"} <= first.keys()
    assert first == second


def test_xlsx_metadata_is_pinned_to_the_as_of_date(city):
    out, summary = city
    with zipfile.ZipFile(out / "landing" / summary["feeds"]["zhujian.fangwu"]["path"]) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    assert f"{AS_OF:%Y-%m-%d}T03:00:00Z" in core


def test_other_seed_other_city(city, tmp_path):
    out, summary = city
    other = tmp_path / "other"
    simulate(other, persons=PERSONS, seed=SEED + 1, as_of=AS_OF)
    first, second = _digests(out), _digests(other)
    assert first.keys() == second.keys()
    # The API registry and (with no delta days) the empty change log do not depend on the seed, nor does a
    # delivery that holds no record (a small city's day without cremations or emergencies).
    empty = {f"landing/{d['path']}" for f in summary["feeds"].values() for d in f.get("days", [])
             if d["records"] == 0}
    same = [k for k in first if first[k] == second[k]]
    assert set(same) <= {"sim/api/registry.json", "sim/truth/changes.parquet"} | empty, same


def test_same_seed_same_bytes_with_delta_days(tmp_path):
    """Every feed, full load and delta days (API stores, front-end database, delta files), in two processes
    with different string hashing: one check for all feeds instead of one per department."""
    code = ("import datetime, pathlib, sys; from simulator.city import simulate; "
            f"simulate(pathlib.Path(sys.argv[1]), persons=3000, seed={SEED}, days=2, "
            f"as_of=datetime.date.fromisoformat('{AS_OF.isoformat()}'))")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / name)],
                             env={**os.environ, "PYTHONHASHSEED": seed}) for name, seed in (("a", "1"), ("b", "2"))]
    assert [r.wait(timeout=600) for r in runs] == [0, 0]
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert sum(k.startswith("landing/") for k in first) >= 3 * 40  # every file feed, each of the 3 days
    assert first == second
