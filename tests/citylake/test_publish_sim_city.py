"""Write–audit–publish on a simulated city, with the real stages: dbt builds the build database, the validity
runner audits it, the lineage comes from dbt's manifest, and a reader in another process watches the
published file throughout.

Run 1 (the session's shared city, copied) happened under an earlier contract where 流动人口 was a weak gate:
every mart is published. Before
run 2, 流动人口's and 12345's deliveries are withdrawn from the lake, so the marts built from them change,
and 流动人口 (strong again) fails its gate with no valid record: ``dim_person`` keeps run 1's content while
``fct_event`` (not built from 流动人口) is replaced by run 2's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict, replace
from datetime import timedelta

import duckdb
import pytest

pytestmark = pytest.mark.e2e

READER = textwrap.dedent("""
    import os, sys, time, duckdb
    path, stop, out = sys.argv[1:4]
    seen = []
    while not os.path.exists(stop):
        con = duckdb.connect(path, read_only=True)
        seen.append(con.execute("select (select count(*) from marts.fct_event), "
                                "(select run_id from quality.publications order by published_at desc limit 1)").fetchone())
        con.close()
        time.sleep(0.02)
    open(out, "w").write(repr(seen))
""")


def fingerprint(path, table: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select count(*), sum(hash(t)::hugeint) from {table} t").fetchone()
    finally:
        con.close()


def wap_run(s, root, run_id, contracts, run_at):
    from citylake.dbt import build
    from citylake.publish import decide, publish, read_lineage
    from expectations.runner import validate

    lineage = read_lineage(build(s, target_dir=root / "target"))
    results = validate(replace(s, warehouse=s.build_db), run_id, contracts, run_at=run_at)
    return lineage, publish(s.build_db, s.warehouse, decide(lineage, [asdict(r) for r in results]), run_id)


def test_a_held_mart_keeps_its_content_while_the_others_are_replaced(tmp_path):
    from citylake.config import settings
    from ingest.contracts import load_contracts
    from citylake.publish import read_lineage
    from tests.published_city import RUN_AT, RUN_ID, published_city

    # Run 1 is the session's shared city: built, validated under the earlier contract (流动人口 weak) and
    # published. Its lake, build database and published warehouse are copied: run 2 withdraws feeds.
    shared, root = published_city(), tmp_path
    shutil.copytree(shared.lake_dir, root / "data" / "lake")
    (root / "pub").mkdir()
    shutil.copy2(shared.build_db, root / shared.build_db.name)
    shutil.copy2(shared.warehouse, root / "pub" / shared.warehouse.name)
    s = settings({"CITYLAKE_DATA_DIR": str(root / "data"), "CITYLAKE_WAREHOUSE": str(root / "pub" / shared.warehouse.name),
                  "CITYLAKE_BUILD_WAREHOUSE": str(root / shared.build_db.name)})
    contracts = load_contracts(s.contracts_dir)
    assert next(c for c in contracts if c.id == "gongan.liudong").gate == "strong"

    lineage = read_lineage(shared.data_dir.parent / "target" / "manifest.json")
    assert "gongan.liudong" in lineage["marts.dim_person"] and "gongan.liudong" not in lineage["marts.fct_event"]
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        first = dict(con.execute("select mart, action from quality.publications where run_id = ?", [RUN_ID]).fetchall())
    finally:
        con.close()  # DuckDB caches an open database per process: a lingering handle would hide run 2's file
    assert first["marts.dim_person"] == first["marts.fct_event"] == "published"
    person1, event1 = fingerprint(s.warehouse, "marts.dim_person"), fingerprint(s.warehouse, "marts.fct_event")

    for feed in ("gongan/liudong", "shuju/hotline"):
        shutil.rmtree(s.lake_dir / "raw" / feed)
    stop, seen_file = tmp_path / "stop", tmp_path / "seen"
    (tmp_path / "reader.py").write_text(READER)
    reader = subprocess.Popen([sys.executable, str(tmp_path / "reader.py"), str(s.warehouse), str(stop), str(seen_file)])
    try:
        time.sleep(1.0)
        _, second = wap_run(s, root, "run2", contracts, RUN_AT + timedelta(days=1))
        time.sleep(0.5)
    finally:
        stop.touch()
        assert reader.wait(timeout=60) == 0

    held = {h["mart"]: h for h in second.held}
    assert held["marts.dim_person"]["blocked_by"] == ["gongan.liudong"]
    assert held["marts.dim_person"]["live_run_id"] == RUN_ID and "marts.fct_event" in second.published
    # The build changed both marts; only the one not built from 流动人口 reached the readers.
    assert fingerprint(s.build_db, "marts.dim_person") != person1
    assert fingerprint(s.warehouse, "marts.dim_person") == person1
    event2 = fingerprint(s.build_db, "marts.fct_event")
    assert event2 != event1 and fingerprint(s.warehouse, "marts.fct_event") == event2
    # The reader, connecting throughout the build and the publication, was never refused and only ever saw
    # one whole publication: run 1's events with run 1's record, or run 2's with run 2's.
    seen = eval(seen_file.read_text())
    assert set(seen) == {(event1[0], RUN_ID), (event2[0], "run2")}, set(seen)
