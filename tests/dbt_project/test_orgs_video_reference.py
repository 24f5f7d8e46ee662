"""Organisations, video (雪亮工程) and reference marts, and the grid/video indicators, graded against the
simulator's ground truth (``sim_built.sim_dir / "truth"``), never against the models' own output."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from citylake.dbt import run_dbt

INDICATORS = ("grid_worker_coverage", "min_grid_workers_per_grid", "village_camera_compliance",
              "natural_village_camera_compliance", "xueliang_coverage", "village_grid_coverage",
              "service_facility_coverage")


def truth(sim_built, name: str) -> pd.DataFrame:
    return pd.read_parquet(sim_built.sim_dir / "truth" / f"{name}.parquet")


def precision_recall(found: set, true: set) -> tuple[float, float]:
    hits = len(found & true)
    return hits / max(len(found), 1), hits / max(len(true), 1)


def test_dim_org_resolves_organisations_by_credit_code(sim_built, sim_wh):
    orgs = truth(sim_built, "orgs")
    mart = sim_wh.execute("select * from marts.dim_org").df()
    precision, recall = precision_recall(set(mart.uscc), set(orgs.uscc))
    # measured: 214/214 (3,000 persons) and 1,057/1,057 (15,000), every damaged credit code repaired
    assert precision == 1.0 and recall >= 0.995, (precision, recall)
    both = orgs.merge(mart, on="uscc", suffixes=("_true", ""))
    for flag in ("is_hazardous_chemical", "is_fire_key_unit", "is_taxpayer"):
        agree = (both[flag] == both[f"{flag}_true"]).mean()
        # 消防 重点单位 may lose its last line to a truncated file: ≥ 99% rather than all
        assert agree >= 0.99, (flag, agree)
    assert (both.category == both.category_true).all()
    assert (both.org_type == both.org_type_true).all()
    assert (both.district_code == both.district_code_true).all()
    assert (both.name == both.name_true).mean() >= 0.99
    assert both.is_school.sum() == (orgs.category == "school").sum()


def test_dim_camera_decodes_every_camera(sim_built, sim_wh):
    cameras = truth(sim_built, "cameras")
    mart = sim_wh.execute("select * from marts.dim_camera").df()
    precision, recall = precision_recall(set(mart.device_id), set(cameras.device_id))
    assert precision == 1.0 and recall >= 0.99, (precision, recall)
    both = cameras.merge(mart, on="device_id", suffixes=("_true", ""))
    for column in ("industry_code", "type_code", "network_code", "resource_class", "district_code",
                   "village_code", "grid_code", "is_plan_point"):
        assert (both[column] == both[f"{column}_true"]).all(), column
    assert (both.natural_village_code.fillna("") == both.natural_village_code_true.fillna("")).all()
    labels = dict(zip(both.industry_code, both.industry_label))
    assert labels.get("00", "社会治安路面接入") == "社会治安路面接入"
    assert set(both.network_label) <= {"公安信息网", "政务网", "社会资源接入网"}


def test_camera_status_daily_matches_the_truth(sim_built, sim_wh):
    status = truth(sim_built, "camera_status")
    status["status_date"] = pd.to_datetime(status["date"]).dt.date
    mart = sim_wh.execute("select device_id, status_date, is_online, online_ratio from marts.fct_camera_status_daily").df()
    mart["status_date"] = pd.to_datetime(mart["status_date"]).dt.date
    both = status.merge(mart, on=["device_id", "status_date"], how="left", suffixes=("_true", ""))
    assert both.is_online.notna().mean() >= 0.99
    found = both[both.is_online.notna()]
    assert (found.is_online == (found.status == "在线")).all()
    assert ((found.online_ratio - found.online_ratio_true).abs() < 1e-9).all()
    assert set(mart.device_id) <= set(status.device_id)
    assert len(mart) == len(mart[["device_id", "status_date"]].drop_duplicates())


def test_captures_hourly_is_incremental_and_keeps_every_hour(sim_built, sim_wh, tmp_path):
    records = truth(sim_built, "records")
    sent = records[records.contract_id == "xueliang.zhuapai"]
    before = sim_wh.execute("select count(*), max(loaded_at) from marts.fct_camera_captures_hourly").fetchone()
    # every delivered (camera, hour) lands once: mistyped hours and ids are read back
    assert before[0] >= 0.99 * len(sent), (before[0], len(sent))
    hours = sim_wh.execute("select count(*) from marts.fct_camera_captures_hourly where hour(hour_start) > 23 "
                           "or hour_start > timestamp '2026-11-22 00:00:00'").fetchone()[0]
    assert hours == 0
    from tests.dbt_project.conftest import private_copy

    copy = private_copy(sim_built, tmp_path / "wh")  # the shared city is read-only: run dbt on a copy
    run_dbt(copy, ["run", "--select", "fct_camera_captures_hourly", "--target-path", str(tmp_path / "target"),
                   "--log-path", str(tmp_path / "logs")])
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    try:
        after = con.execute("select count(*), max(loaded_at) from marts.fct_camera_captures_hourly").fetchone()
    finally:
        con.close()
    assert after == before


def test_dim_division_holds_the_statistical_divisions(sim_built, sim_wh):
    divisions = truth(sim_built, "divisions")
    divisions = divisions[divisions.level.isin(["county", "township", "village"])]
    mart = sim_wh.execute("select * from marts.dim_division").df()
    both = divisions.merge(mart, left_on="code", right_on="division_code", how="left")
    assert both.division_code.notna().all()
    assert (both.division_level == both.level).all()
    assert (both.name_x == both.name_y).all()
    assert (both.parent_code_x == both.parent_code_y).all()
    villages = both[both.level == "village"]
    assert (villages.urban_rural_code_x == villages.urban_rural_code_y).all()
    assert (villages.kind == villages.village_kind).all()
    natural = truth(sim_built, "natural_villages")
    nv = natural.merge(mart, left_on="natural_village_code", right_on="division_code", how="left")
    assert nv.division_code.notna().all() and (nv.name_x == nv.name_y).all()
    assert (nv.village_code_x == nv.village_code_y).all()
    assert set(mart.division_code) <= set(divisions.code) | set(natural.natural_village_code)


def test_dim_grid_and_workers_match_the_truth(sim_built, sim_wh):
    grids = truth(sim_built, "grids")
    mart = sim_wh.execute("select * from marts.dim_grid").df()
    both = grids.merge(mart, on="grid_code", how="left", suffixes=("_true", ""))
    assert both.village_code.notna().all()
    for column in ("village_code", "district_code", "grid_workers"):
        assert (both[column] == both[f"{column}_true"]).all(), column
    assert len(mart) == len(grids)
    workers = truth(sim_built, "grid_workers")
    wmart = sim_wh.execute("select * from marts.dim_grid_worker").df()
    w = workers.merge(wmart, on="worker_id", how="left", suffixes=("_true", ""))
    assert w.grid_code.notna().all() and len(wmart) == len(workers)
    assert (w.grid_code == w.grid_code_true).all()
    assert (w.sex == w.sex_true).all()
    # ID numbers and phones are standardised, not invented: a damaged one is null, never another person's
    assert ((w.id_number == w.id_number_true) | w.id_number.isna()).all()
    assert (w.id_number == w.id_number_true).mean() >= 0.95
    assert ((w.phone == w.phone_true) | w.phone.isna()).all()


def test_grid_and_video_indicators_equal_the_true_values(sim_built, sim_wh):
    true = truth(sim_built, "indicators")
    true = true[true.indicator_code.isin(INDICATORS)]
    mart = sim_wh.execute("select indicator_code, scope, numerator, denominator, value "
                          "from intermediate.int_indicators__grids_video").df()
    assert list(mart.columns) == ["indicator_code", "scope", "numerator", "denominator", "value"]
    both = true.merge(mart, on=["indicator_code", "scope"], how="outer", suffixes=("_true", ""), indicator=True)
    assert (both._merge == "both").all(), both[both._merge != "both"]
    for column in ("numerator", "denominator", "value"):
        a, b = both[column], both[f"{column}_true"]
        assert ((a - b).abs().fillna(0) < 1e-12).all() and (a.isna() == b.isna()).all(), both[[
            "indicator_code", "scope", column, f"{column}_true"]]
