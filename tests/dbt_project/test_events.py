"""fct_event and int_indicators__events graded against the simulated city's ground truth.

Warehouse events are mapped to the world's events through the truth's record table (the delivered record a
kept version came from → its true entity, the world's event id), so the checks do not trust the model's own
event ids. The truth's indicators are computed at the simulation's as-of date; the warehouse's default
as-of date is the load date (the wall clock's), so the indicator grading compiles the model with the
`as_of_date` var set to the truth's and runs it read-only against the built warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from citylake.dbt import run_dbt

# world kind → the feed that delivers it
FEEDS = {"hotline": "shuju.hotline", "grid": "zhengfawei.wangge_shijian", "police": "gongan.jingqing", "petition": "xinfang.xinfangjian",
         "dispute": "sifa.tiaojie", "urban": "chengguan.anjian", "fire": "xiaofang.huozai",
         "emergency": "yingji.tufa", "opinion": "wangxin.yuqing", "environment": "shengtai.tousu",
         "civil": "fayuan.minshi", "public_interest": "jianchayuan.gongyi"}
EVENT_CODES = ("event_closure_rate", "dispute_resolution_rate", "homicide_rate_per_100k", "hotline_satisfaction_rate")


def _truth(sim_built) -> Path:
    return Path(sim_built.sim_dir) / "truth"


@pytest.fixture
def graded(sim_built, sim_wh):
    """The truth's events joined to the warehouse event built from their kept version (left join: a true
    event the warehouse lost keeps null warehouse columns)."""
    t = _truth(sim_built)
    sim_wh.execute(f"create or replace temp view truth_events as select * from read_parquet('{t / 'events.parquet'}')")
    sim_wh.execute(f"create or replace temp view truth_records as select * from read_parquet('{t / 'records.parquet'}')")
    sim_wh.execute("""
        create or replace temp view graded as
        with mapped as (
            select f.*, r.entity_key, r.defects as record_defects
            from marts.fct_event as f
            join truth_records as r
                on r.contract_id = f.source_feed
                and ((r.row_number is not null and r.row_number = f.source_row_number
                      and f.source_file = r.source || coalesce('#' || r.sheet, ''))
                     or (r.row_number is null and r.record_key = f.event_id))
        )
        select
            t.kind, t.event_id as true_id, t.reported_at as true_reported_at, t.due_at as true_due_at,
            t.closed_at as true_closed_at, t.is_overdue as true_is_overdue, t.satisfaction as true_satisfaction,
            t.outcome as true_outcome, t.district_code as true_district, t.grid_code as true_grid,
            t.is_homicide as true_is_homicide, m.*
        from truth_events as t
        left join mapped as m on m.entity_key = t.event_id
    """)
    return sim_wh


def _one(con, sql: str):
    return con.execute(sql).fetchone()


def test_every_true_event_is_one_warehouse_event_with_its_world_id(graded):
    lost = graded.execute("select kind, count(*) from graded where event_id is null group by 1").fetchall()
    assert lost == []
    # each true event comes out once, under the world's id and from the feed of its kind
    rows = graded.execute("select kind, true_id, event_id, source_feed from graded").fetchall()
    assert len({r[1] for r in rows}) == len(rows)
    assert [r for r in rows if r[1] != r[2] or FEEDS[r[0]] != r[3]] == []
    feeds = dict(graded.execute("select source_feed, count(*) from marts.fct_event group by 1").fetchall())
    per_kind = dict(graded.execute("select kind, count(*) from truth_events group by 1").fetchall())
    assert {FEEDS[k]: n for k, n in per_kind.items()} == {f: n for f, n in feeds.items()
                                                          if f != "fulian.weiquan"}


def test_lifecycle_matches_the_truth(graded):
    # full timestamps, where the report time was not damaged
    bad = graded.execute("""
        select kind, true_id, reported_at, true_reported_at from graded
        where kind in ('grid', 'urban', 'police', 'opinion', 'environment', 'petition')
          and not list_contains(record_defects, 'bad_date')
          and reported_at is distinct from true_reported_at""").fetchall()
    assert bad == []
    # the report date, repaired from the event number when the time was damaged, for every kind but 突发事件
    # (which sends the time it happened, minutes before the report)
    bad = graded.execute("""
        select kind, true_id, reported_date from graded
        where kind <> 'emergency' and reported_date is distinct from cast(true_reported_at as date)""").fetchall()
    assert bad == []
    bad = graded.execute("""
        select kind, true_id, due_at, true_due_at from graded
        where kind = 'grid' and due_at is distinct from true_due_at""").fetchall()
    assert bad == []
    bad = graded.execute("""
        select kind, true_id, closed_at, true_closed_at from graded
        where kind in ('grid', 'urban', 'environment', 'opinion') and closed_at is distinct from true_closed_at""").fetchall()
    assert bad == []
    bad = graded.execute("""
        select kind, true_id from graded
        where kind in ('dispute', 'civil', 'public_interest')
          and cast(closed_at as date) is distinct from cast(true_closed_at as date)""").fetchall()
    assert bad == []


def test_closure_overdue_resolution_and_satisfaction_match_the_truth(graded):
    assert graded.execute("select kind, true_id from graded where is_closed <> (true_closed_at is not null)").fetchall() == []
    # kinds whose feed sends a deadline (网格), the overdue flag (城管) or whose deadline is statutory (调解)
    assert graded.execute("""
        select kind, true_id, is_overdue, true_is_overdue from graded
        where kind in ('grid', 'urban', 'dispute') and is_overdue is distinct from true_is_overdue""").fetchall() == []
    assert graded.execute("""
        select true_id from graded where kind = 'dispute'
          and is_resolved is distinct from (case when true_closed_at is not null then true_outcome = '调解成功' end)
    """).fetchall() == []
    assert graded.execute("""
        select kind, true_id, satisfaction, true_satisfaction from graded
        where kind in ('grid', 'petition') and satisfaction is distinct from true_satisfaction""").fetchall() == []
    assert graded.execute("""
        select true_id from graded where kind = 'police' and is_homicide <> true_is_homicide""").fetchall() == []


def test_district_grid_and_taxonomy(graded):
    # a damaged division code falls back on the grid: every grid and 城管 event lands in its true district
    assert graded.execute("""
        select kind, true_id, division_code, true_district from graded
        where kind in ('grid', 'urban') and division_code is distinct from true_district""").fetchall() == []
    assert graded.execute("""
        select true_id from graded where kind in ('grid', 'urban') and grid_code is distinct from true_grid""").fetchall() == []
    wrong, total = _one(graded, "select count(*) filter (where division_code is distinct from true_district), count(*) from graded")
    assert wrong <= 0.015 * total  # the others keep a bad_division record's district unknown (≈1%)
    assert _one(graded, "select count(*) from graded where division_code is not null and division_code <> true_district") == (0,)
    # every category the code list knows is mapped; only wrong-code records fall to M99 未归类
    unmapped = graded.execute("""
        select kind, true_id, department_category from graded
        where not is_category_mapped and not list_contains(record_defects, 'wrong_code')""").fetchall()
    assert unmapped == []
    assert _one(graded, "select count(*) from marts.fct_event where module_code = 'M99' and event_type_code = 'M9900' and is_category_mapped") == (0,)


def _store_orders(sim_built) -> dict[str, dict]:
    """The 12345 API's backing data (what the department served), latest version per work order."""
    orders: dict[str, dict] = {}
    with open(Path(sim_built.sim_dir) / "api" / "shuju" / "workorders.jsonl", encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            if o["gdbh"] not in orders or o["gxsj"] >= orders[o["gdbh"]]["gxsj"]:
                orders[o["gdbh"]] = o
    return orders


def test_hotline_work_orders_are_the_served_ones(sim_built, sim_wh):
    orders = _store_orders(sim_built)
    got = {r[0]: r[1:] for r in sim_wh.execute(
        "select event_id, status, satisfaction, is_closed from marts.fct_event where source_feed = 'shuju.hotline'").fetchall()}
    assert set(got) == set(orders)
    assert {k: (o["blzt"], o["myd"] or None, o["blzt"] in ("已办结", "已回访")) for k, o in orders.items()} == got


def _indicators_at(sim_built, tmp_path: Path, as_of: str) -> dict[tuple[str, str], tuple]:
    """int_indicators__events compiled at `as_of` and run read-only against the built warehouse."""
    from tests.dbt_project.conftest import private_copy

    run_dbt(private_copy(sim_built, tmp_path / "wh"), ["compile", "--select", "int_indicators__events", "--vars", json.dumps({"as_of_date": as_of}),
                        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")])
    sql = next((tmp_path / "target" / "compiled").rglob("int_indicators__events.sql")).read_text(encoding="utf-8")
    con = duckdb.connect(str(sim_built.warehouse), read_only=True)
    try:
        return {(r[0], r[1]): r[2:] for r in con.execute(sql).fetchall()}
    finally:
        con.close()


def test_event_indicators_equal_the_truth(sim_built, tmp_path):
    t = _truth(sim_built)
    as_of = json.loads((t / "config.json").read_text(encoding="utf-8"))["as_of"]
    con = duckdb.connect()
    truth = {(r[0], r[1]): r[2:] for r in con.execute(
        f"select indicator_code, scope, numerator, denominator, value from read_parquet('{t / 'indicators.parquet'}') "
        f"where indicator_code in {EVENT_CODES}").fetchall()}
    got = _indicators_at(sim_built, tmp_path, as_of)
    assert set(got) == set(truth)
    for key in truth:
        if key[0] in ("event_closure_rate", "dispute_resolution_rate"):
            assert got[key] == pytest.approx(truth[key], nan_ok=True), key
        elif key[0] == "homicide_rate_per_100k":
            # homicides exactly; persons are dim_person's (entity resolution), within 2% of the true residents
            assert got[key][0] == truth[key][0], key
            assert got[key][1] == pytest.approx(truth[key][1], rel=0.02), key
        else:  # 12345 satisfaction: the orders are the world's hotline events, evaluated ones in the window
            assert got[key] == pytest.approx(truth[key]), key


def test_built_indicators_cover_every_scope(sim_built, sim_wh):
    t = _truth(sim_built)
    truth = {(r[0], r[1]) for r in sim_wh.execute(
        f"select indicator_code, scope from read_parquet('{t / 'indicators.parquet'}') where indicator_code in {EVENT_CODES}").fetchall()}
    built = sim_wh.execute("select * from intermediate.int_indicators__events").fetchall()
    assert [d[0] for d in sim_wh.description] == ["indicator_code", "scope", "numerator", "denominator", "value"]
    assert {(r[0], r[1]) for r in built} == truth
