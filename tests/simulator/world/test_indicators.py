"""Indicator values recomputed here, independently, from the truth tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.simulator.world.conftest import AS_OF

CITY = "360900"


def _by_scope(values: pd.Series, district: pd.Series) -> dict[str, float]:
    out = {CITY: values.mean()}
    out.update(values.groupby(district).mean().to_dict())
    return out


def expected(truth) -> dict[tuple[str, str], float]:
    e, grids, cams = truth["events"], truth["grids"], truth["cameras"]
    at = pd.Timestamp(AS_OF)
    due = e["due_at"] <= at
    out: dict[tuple[str, str], float] = {}

    def put(code, values):
        for scope, v in values.items():
            out[(code, scope)] = v

    g = e[(e["kind"] == "grid") & due]
    put("event_closure_rate", _by_scope(g["closed_at"].notna(), g["district_code"]))
    d = e[(e["kind"] == "dispute") & due]
    put("dispute_resolution_rate", _by_scope(d["outcome"].eq("调解成功"), d["district_code"]))
    h = e[(e["kind"] == "hotline") & e["satisfaction"].notna()]
    put("hotline_satisfaction_rate", _by_scope(h["satisfaction"].isin(["满意", "基本满意"]), h["district_code"]))
    persons = grids.groupby("district_code")["persons"].sum()
    homicides = e[e["is_homicide"]].groupby("district_code").size().reindex(persons.index, fill_value=0)
    put("homicide_rate_per_100k", {CITY: homicides.sum() / persons.sum() * 1e5, **(homicides / persons * 1e5).to_dict()})
    put("grid_worker_coverage", _by_scope(grids["grid_workers"] >= 1, grids["district_code"]))
    put("min_grid_workers_per_grid", {CITY: grids["grid_workers"].min(),
                                      **grids.groupby("district_code")["grid_workers"].min().to_dict()})
    div, nat = truth["divisions"], truth["natural_villages"]
    vil = div[(div["level"] == "village") & (div["kind"] == "村委会")].copy()
    plan = cams[cams["is_plan_point"]]
    at_v = plan[plan["natural_village_code"].isna()].groupby("village_code").size()
    at_n = plan.groupby("natural_village_code").size()
    nat = nat.assign(ok=nat["natural_village_code"].map(at_n).fillna(0) >= 2)
    vil["ok5"] = vil["code"].map(at_v).fillna(0) >= 5
    vil["ok_nat"] = vil["code"].map(nat.groupby("village_code")["ok"].all()).fillna(True).astype(bool)
    vil["district"] = vil["code"].str[:6]
    put("village_camera_compliance", _by_scope(vil["ok5"], vil["district"]))
    put("natural_village_camera_compliance", _by_scope(nat["ok"], nat["district_code"]))
    put("xueliang_coverage", _by_scope(vil["ok5"] & vil["ok_nat"], vil["district"]))
    allv = div[div["level"] == "village"]
    put("village_grid_coverage", _by_scope(allv["code"].isin(set(grids["village_code"])), allv["code"].str[:6]))
    put("service_facility_coverage", _by_scope(vil["has_service_facility"].astype(bool), vil["district"]))
    return out


def test_indicators_match_an_independent_recomputation(truth):
    ind = truth["indicators"]
    want = expected(truth)
    assert ind[["indicator_code", "scope"]].drop_duplicates().shape[0] == len(ind)
    checked = 0
    for row in ind.itertuples():
        key = (row.indicator_code, row.scope)
        if pd.isna(row.value):
            assert key not in want or pd.isna(want[key])
            continue
        assert row.value == pytest.approx(want[key], abs=1e-12), key
        ops = {">=": row.value >= row.target, ">": row.value > row.target, "<": row.value < row.target}
        assert row.is_met == ops[row.comparator]
        checked += 1
    assert checked >= 11 * 2
    city = ind[ind["scope"] == CITY].set_index("indicator_code")
    assert city.loc["grid_worker_coverage", "value"] < 1.0  # the fixture leaves grids empty on purpose
    assert city.loc["event_closure_rate", "value"] > 0.95
    assert (city["period_end"] == AS_OF).all() and (city["period_start"] == AS_OF - dt.timedelta(days=365)).all()


def test_counting_while_writing_equals_a_second_pass(truth, world):
    from simulator.world.indicators import indicators

    again = pd.DataFrame(indicators(world))  # generates the year's events again
    pd.testing.assert_frame_equal(again, truth["indicators"], check_dtype=False)
