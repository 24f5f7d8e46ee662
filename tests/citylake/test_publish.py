"""Write–audit–publish: the publish decision (pure), the lineage read from dbt's manifest, and the
publication itself on small real DuckDB files, with a reader in another process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from citylake.publish import (
    HELD,
    PUBLISHED,
    MartDecision,
    PublishError,
    decide,
    mart_lineage,
    prepare_build_db,
    publish,
    staging_path,
)

LINEAGE = {
    "marts.dim_person": ["gongan.hukou", "gongan.liudong", "renshe.canbao"],
    "marts.dim_house": ["zhujian.fangwu", "gongan.liudong"],
    "marts.fct_event": ["shuju.hotline"],
    "marts.dim_org": ["shichang.qiye"],
}


def result(cid: str, passed: bool | None, gate: str) -> dict:
    return {"contract_id": cid, "passed": passed, "gate": gate, "target": None if passed is None else 0.9}


def test_a_failed_strong_gate_holds_every_mart_built_from_it():
    results = [result("gongan.hukou", True, "strong"), result("gongan.liudong", False, "strong"),
               result("zhujian.fangwu", True, "strong"), result("shuju.hotline", None, "weak")]
    by_mart = {d.mart: d for d in decide(LINEAGE, results)}
    assert {m: d.action for m, d in by_mart.items()} == {
        "marts.dim_person": HELD, "marts.dim_house": HELD, "marts.fct_event": PUBLISHED, "marts.dim_org": PUBLISHED}
    assert by_mart["marts.dim_person"].blocked_by == ("gongan.liudong",)
    assert by_mart["marts.dim_house"].upstream_feeds == ("gongan.liudong", "zhujian.fangwu")


def test_weak_gates_warn_and_unjudged_feeds_block_nothing():
    results = [result("gongan.liudong", False, "weak"), result("renshe.canbao", False, "weak")]
    assert all(d.action == PUBLISHED for d in decide(LINEAGE, results))
    assert all(d.action == PUBLISHED for d in decide(LINEAGE, []))
    # Passing strong gates publish too; only a measured strong failure holds.
    assert all(d.action == PUBLISHED for d in decide(LINEAGE, [result("gongan.liudong", True, "strong")]))
    held = decide(LINEAGE, [result("shichang.qiye", False, "strong"), result("shuju.hotline", False, "strong")])
    assert [d.mart for d in held if d.action == HELD] == ["marts.dim_org", "marts.fct_event"]


def test_lineage_walks_models_down_to_sources_through_marts_and_seeds():
    def model(name, folder, schema):
        return {"resource_type": "model", "name": name, "schema": schema, "fqn": ["citylake", folder, name]}

    manifest = {
        "nodes": {
            "model.citylake.stg_gongan__liudong": model("stg_gongan__liudong", "staging", "staging"),
            "model.citylake.stg_zhujian__fangwu": model("stg_zhujian__fangwu", "staging", "staging"),
            "model.citylake.int_persons_unioned": model("int_persons_unioned", "intermediate", "intermediate"),
            "model.citylake.dim_person": model("dim_person", "marts", "marts"),
            "model.citylake.fct_rent": model("fct_rent", "marts", "marts"),
            "seed.citylake.ref_divisions": {"resource_type": "seed", "name": "ref_divisions", "fqn": []},
            "test.citylake.not_null_dim_person_person_id": {"resource_type": "test", "fqn": []},
        },
        "sources": {
            "source.citylake.gongan.liudong": {"resource_type": "source", "source_name": "gongan", "name": "liudong",
                                               "config": {"meta": {"contract_id": "gongan.liudong"}}},
            "source.citylake.zhujian.fangwu": {"resource_type": "source", "source_name": "zhujian",
                                               "name": "fangwu", "config": {"meta": {}}},
        },
        "parent_map": {
            "model.citylake.stg_gongan__liudong": ["source.citylake.gongan.liudong"],
            "model.citylake.stg_zhujian__fangwu": ["source.citylake.zhujian.fangwu"],
            "model.citylake.int_persons_unioned": ["model.citylake.stg_gongan__liudong", "seed.citylake.ref_divisions"],
            "model.citylake.dim_person": ["model.citylake.int_persons_unioned"],
            # A mart built on another mart inherits its feeds.
            "model.citylake.fct_rent": ["model.citylake.dim_person", "model.citylake.stg_zhujian__fangwu"],
            "test.citylake.not_null_dim_person_person_id": ["model.citylake.dim_person"],
            "seed.citylake.ref_divisions": [],
        },
    }
    assert mart_lineage(manifest) == {"marts.dim_person": ["gongan.liudong"],
                                      "marts.fct_rent": ["gongan.liudong", "zhujian.fangwu"]}


# ---- the publication, on real DuckDB files -------------------------------------------------------------


def make_build(path, version: str) -> None:
    """A build database as dbt and the validity runner leave it: marts, a view, quality rows."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts; create schema if not exists staging; "
                "create schema if not exists quality")
    for mart in ("dim_person", "fct_event"):
        con.execute(f"create or replace table marts.{mart} as "
                    f"select '{version}' as version, range as n from range(1000)")
        con.execute(f"comment on table marts.{mart} is '{mart} 版本 {version}'")
        con.execute(f"comment on column marts.{mart}.version is '版本'")
    con.execute(f"create or replace view staging.stg_x as select '{version}' as version")
    con.execute("create table if not exists quality.validity_runs (run_id varchar)")
    con.execute("insert into quality.validity_runs values (?)", [version])
    con.close()


def decisions(hold_person: bool) -> list[MartDecision]:
    return [MartDecision("marts.dim_person", HELD if hold_person else PUBLISHED, ("gongan.liudong",),
                         ("gongan.liudong",) if hold_person else ()),
            MartDecision("marts.fct_event", PUBLISHED, ("shuju.hotline",), ())]


def read(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_held_mart_keeps_its_published_version_the_others_and_quality_are_replaced(tmp_path):
    build, published = tmp_path / "wh.build.duckdb", tmp_path / "wh.duckdb"
    make_build(build, "run1")
    first = publish(build, published, decisions(hold_person=False), "run1")
    assert first.published == ["marts.dim_person", "marts.fct_event"] and first.held == []

    make_build(build, "run2")
    second = publish(build, published, decisions(hold_person=True), "run2")
    assert second.published == ["marts.fct_event"]
    assert second.held == [{"mart": "marts.dim_person", "blocked_by": ["gongan.liudong"], "kept_previous": True,
                            "live_run_id": "run1"}]
    assert read(published, "select distinct version from marts.dim_person") == [("run1",)]
    assert read(published, "select distinct version from marts.fct_event") == [("run2",)]
    assert read(published, "select version from staging.stg_x") == [("run2",)]
    assert read(published, "select run_id from quality.validity_runs order by 1") == [("run1",), ("run2",)]
    # The Chinese labels BI tools show travel with the kept version.
    assert read(published, "select comment from duckdb_tables() where table_name = 'dim_person'") == [
        ("dim_person 版本 run1",)]
    assert read(published, "select comment from duckdb_columns() where table_name = 'dim_person' "
                           "and column_name = 'version'") == [("版本",)]
    # The build database keeps what was built and audited (the held version too), for debugging.
    assert read(build, "select distinct version from marts.dim_person") == [("run2",)]
    assert read(published, "select mart, action, live_run_id from quality.publications where run_id = 'run2' "
                           "order by mart") == [("marts.dim_person", "held", "run1"),
                                                ("marts.fct_event", "published", "run2")]
    assert not staging_path(published).exists()

    # Held again: still the last good version, from two runs back.
    make_build(build, "run3")
    third = publish(build, published, decisions(hold_person=True), "run3")
    assert third.held[0]["live_run_id"] == "run1"
    assert read(published, "select distinct version from marts.dim_person") == [("run1",)]


def test_first_run_held_mart_is_absent_not_published_unaudited(tmp_path):
    build, published = tmp_path / "wh.build.duckdb", tmp_path / "wh.duckdb"
    make_build(build, "run1")
    out = publish(build, published, decisions(hold_person=True), "run1")
    assert out.held == [{"mart": "marts.dim_person", "blocked_by": ["gongan.liudong"], "kept_previous": False,
                         "live_run_id": None}]
    tables = {r[0] for r in read(published, "select table_name from duckdb_tables() where schema_name = 'marts'")}
    assert tables == {"fct_event"}
    assert "尚无已发布版本" in out.summary() and "marts.dim_person" in out.summary()


def test_a_failed_publication_leaves_the_published_warehouse_and_history_unchanged(tmp_path):
    build, published = tmp_path / "wh.build.duckdb", tmp_path / "wh.duckdb"
    make_build(build, "run1")
    publish(build, published, decisions(hold_person=False), "run1")
    make_build(build, "run2")
    # Something occupies the place the next version is assembled in (a disk error would do the same).
    (staging_path(published) / "in_the_way").mkdir(parents=True)
    with pytest.raises(PublishError, match="published warehouse is unchanged"):
        publish(build, published, decisions(hold_person=True), "run2")
    assert read(published, "select distinct version from marts.fct_event") == [("run1",)]
    assert read(published, "select distinct version from marts.dim_person") == [("run1",)]
    # The publication that did not happen is not in the history the next one publishes.
    assert read(build, "select count(*) from quality.publications where run_id = 'run2'") == [(0,)]


def test_build_database_starts_from_the_published_history(tmp_path):
    build, published = tmp_path / "wh.build.duckdb", tmp_path / "wh.duckdb"
    prepare_build_db(build, published)
    assert not build.exists()  # nothing published: dbt starts from an empty file
    make_build(published, "old")
    prepare_build_db(build, published)
    assert read(build, "select run_id from quality.validity_runs") == [("old",)]
    make_build(build, "new")
    prepare_build_db(build, published)  # an existing build database is never overwritten
    assert read(build, "select count(*) from quality.validity_runs") == [(2,)]


READER = textwrap.dedent("""
    import os, sys, time, duckdb
    path, stop, out, mode = sys.argv[1:5]
    seen = []
    if mode == "hold":  # a BI tool holding one connection across the publications
        held = duckdb.connect(path, read_only=True)
        while not os.path.exists(stop):
            time.sleep(0.01)
        seen = held.execute("select distinct version from marts.fct_event").fetchall()
    else:  # a reader connecting afresh for every query (DuckDB shares one open file per process)
        while not os.path.exists(stop):
            con = duckdb.connect(path, read_only=True)
            seen.append(con.execute(
                "select (select string_agg(distinct version, ',') from marts.fct_event), "
                "(select count(*) from marts.fct_event), (select max(run_id) from quality.validity_runs)").fetchone())
            con.close()
            time.sleep(0.005)
    with open(out, "w") as f:
        f.write(repr(seen))
""")


def test_a_reader_is_never_blocked_and_sees_only_complete_versions(tmp_path):
    build, published = tmp_path / "wh.build.duckdb", tmp_path / "wh.duckdb"
    make_build(build, "run1")
    publish(build, published, decisions(hold_person=False), "run1")
    stop = tmp_path / "stop"
    script = tmp_path / "reader.py"
    script.write_text(READER)
    readers = {mode: subprocess.Popen([sys.executable, str(script), str(published), str(stop),
                                       str(tmp_path / mode), mode]) for mode in ("hold", "poll")}
    try:
        time.sleep(1.0)  # both readers are connected
        started = time.perf_counter()
        for n in (2, 3, 4):
            make_build(build, f"run{n}")  # the build writes its own file while the readers read
            publish(build, published, decisions(hold_person=n % 2 == 0), f"run{n}")
            time.sleep(0.3)
        # Publishing never waited for the readers' locks.
        assert time.perf_counter() - started < 20
    finally:
        stop.touch()
        assert all(r.wait(timeout=60) == 0 for r in readers.values())
    held = eval((tmp_path / "hold").read_text())
    assert held == [("run1",)]  # the held connection kept its complete version to the end
    seen = eval((tmp_path / "poll").read_text())
    versions = [s[0] for s in seen]
    assert {"run1", "run4"} <= set(versions), versions[::50]
    # Every observation is one whole publication: one version, all its rows, its own verdicts.
    assert all(v in {"run1", "run2", "run3", "run4"} and n == 1000 and q == v for v, n, q in seen), seen[::50]


def test_a_first_publication_creates_the_published_folder(tmp_path):
    build, published = tmp_path / "wh.build.duckdb", tmp_path / "published" / "wh.duckdb"
    make_build(build, "run1")
    publish(build, published, decisions(hold_person=False), "run1")
    assert read(published, "select count(*) from marts.fct_event")[0][0] > 0
