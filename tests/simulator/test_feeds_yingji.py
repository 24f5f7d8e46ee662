"""应急管理局 突发事件 (GBK CSV, delta) and 危化企业 (GBK CSV, full): the world's emergencies and its
hazardous-chemical firms, read by the pipeline's reader, the truth agreeing with the rules record by record.
Emergencies (0.00005 a person and year) and chemical firms are rare: a busy world (see test_feeds_xiaofang)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from stdnum.cn import uscc as stdnum_uscc

from tests.simulator import draft_feeds as df
from tests.simulator.conftest import AS_OF
from tests.simulator.test_feeds_xiaofang import (assert_rates_near, assert_truth_agrees, busy_city, delivered,
                                                 digests, high_rates, updated_on)

FEEDS = ["yingji.tufa", "yingji.weihua"]
AT_LEAST = {"yingji.tufa": 300, "yingji.weihua": 40}  # records the busy 3,000-person city gives


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return busy_city(tmp_path_factory.mktemp("yingji"), FEEDS, persons=3000, days=2)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    return busy_city(tmp_path_factory.mktemp("yingji_bad"), FEEDS, persons=3000,
                     rates={cid: high_rates(cid) for cid in FEEDS})


@pytest.mark.parametrize("cid", FEEDS)
def test_gbk_csv_with_the_departments_header(city, cid):
    out, summary, contracts = city
    c = contracts[cid]
    text = (out / "landing" / summary["feeds"][cid]["path"]).read_bytes().decode("gbk")
    assert text.split("\r\n", 1)[0] == ",".join(col.source for col in c.columns)
    assert text.endswith("\r\n") and summary["feeds"][cid]["records"] > AT_LEAST[cid]


@pytest.mark.parametrize("cid", FEEDS)
def test_truth_agrees_with_the_rules_at_default_rates(city, cid):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts[cid])
    assert len(frame) > AT_LEAST[cid] and 0.85 < tr.is_valid.mean() < 1


@pytest.mark.parametrize("cid", FEEDS)
def test_every_defect_kind_is_applied_and_judged(damaged, cid):
    out, summary, contracts = damaged
    _, tr = assert_truth_agrees(out, summary, contracts[cid])
    rates = high_rates(cid)
    assert set(rates) <= set(df.defect_counts(tr))
    assert_rates_near(tr, rates)
    assert 0.4 < tr.is_valid.mean() < 0.9


def test_emergencies_are_the_worlds_with_their_lifecycle(city):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts["yingji.tufa"])
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    ours = events[events.kind == "emergency"].set_index("event_id")
    assert set(tr.entity_key) == set(ours.index) and len(frame) == len(ours)
    clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
    e = ours.loc[clean.event_id]
    assert (clean.category.to_numpy() == e.category.to_numpy()).all()
    assert (clean.division_code.to_numpy() == e.district_code.to_numpy()).all()
    occurred = pd.to_datetime(clean.occurred_at, format="%Y/%m/%d %H:%M")
    updated = pd.to_datetime(clean.updated_at, format="%Y/%m/%d %H:%M")
    assert (occurred.to_numpy() <= e.reported_at.to_numpy()).all() and (occurred.to_numpy() <= updated.to_numpy()).all()
    # 已处置 exactly when the world's event is closed as of the load, and then updated at its closing
    closed = e.closed_at.notna().to_numpy()
    assert ((clean.status == "已处置").to_numpy() == closed).all()
    assert (updated[closed].to_numpy() == e.closed_at[closed].dt.floor("min").to_numpy()).all()
    # reporters are the grid's people: its 网格员 when the township reported it
    workers = pd.read_parquet(out / "sim" / "truth" / "grid_workers.parquet")
    by_dept = clean[e.channel.to_numpy() == "部门报告"]
    assert len(by_dept) > 20
    known = set(zip(workers.name, workers.phone))
    assert sum((n, p) in known for n, p in zip(by_dept.reporter, by_dept.reporter_phone)) > 0.8 * len(by_dept)


def test_chemical_firms_are_the_worlds_with_valid_credit_codes(damaged):
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts["yingji.weihua"])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    firms = orgs[orgs.is_hazardous_chemical].set_index("uscc")
    assert set(tr.entity_key) == set(firms.index) and (firms.category == "enterprise").all()
    hit = tr.loc[frame.index, "defects"].map(lambda d: "bad_uscc" in d).to_numpy()
    assert [not h for h in hit] == [stdnum_uscc.is_valid(v) for v in frame.uscc] and hit.sum() > 0
    clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
    f = firms.loc[clean.uscc]
    assert (clean.name.to_numpy() == f.name.to_numpy()).all()
    assert (clean.address.to_numpy() == f.address.to_numpy()).all()
    assert (clean.division_code.to_numpy() == f.district_code.to_numpy()).all()
    # a 重大危险源 has a grade, and only a 重大危险源 does
    assert ((clean.major_hazard == "是") == (clean.hazard_level != "无")).all()
    assert set(clean.activity[f.name.str.contains("燃气").to_numpy()]) <= {"经营（带储存）", "储存"}


def test_delta_days_send_each_days_emergencies_and_the_whole_register(city):
    out, summary, contracts = city
    day0, _ = delivered(out, summary, contracts["yingji.tufa"], 0)
    updates = pd.read_parquet(out / "sim" / "truth" / "event_updates.parquet")
    sent = 0
    for day in (1, 2):
        worked = AS_OF + dt.timedelta(days=day - 1)  # the file dated as_of + d carries the day before's work
        frame, tr = assert_truth_agrees(out, summary, contracts["yingji.tufa"], day=day)
        if day == 2:  # truth's event_updates holds the steps of the days after the as-of date
            assert set(tr.entity_key) == updated_on(updates, "emergency", worked)
        clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
        assert (pd.to_datetime(clean.updated_at, format="%Y/%m/%d %H:%M").dt.date == worked).all()
        # an event re-sent carries a later update time than the full load's version of it
        before = day0.set_index("event_id").updated_at
        again = clean[clean.event_id.isin(before.index)]
        assert (again.updated_at.to_numpy() > before.loc[again.event_id].to_numpy()).all()
        sent += len(frame)
    assert 0 < sent < len(day0) / 20
    register = [(out / "landing" / d["path"]).read_bytes() for d in summary["feeds"]["yingji.weihua"]["days"]]
    assert len(register) == 3 and register[0] == register[2]  # full mode: the whole register each day
