"""信访局 信访件 (XML, one <XFJ> per petition; delta): the world's petitions, brought by residents under their
own IDs, read by the pipeline's reader, the truth agreeing with the rules record by record.
A busy world (see test_feeds_xiaofang) gives a few hundred petitions in a 3,000-person city."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from stdnum.cn import ric

from tests.simulator import draft_feeds as df
from tests.simulator.conftest import AS_OF
from tests.simulator.test_feeds_xiaofang import (assert_rates_near, assert_truth_agrees, busy_city, delivered,
                                                 digests, high_rates, updated_on)

CID = "xinfang.xinfangjian"
ID_KINDS = {"bad_check_digit", "legacy_15_digit", "fullwidth_digits"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return busy_city(tmp_path_factory.mktemp("xinfang"), [CID], persons=3000, days=2)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    return busy_city(tmp_path_factory.mktemp("xinfang_bad"), [CID], persons=3000, rates={CID: high_rates(CID)})


def test_one_xfj_element_per_petition_in_utf8(city):
    out, summary, contracts = city
    c = contracts[CID]
    raw = (out / "landing" / summary["feeds"][CID]["path"]).read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(raw)
    assert root.tag == "XFJLIST" and root.get("DCRQ") == f"{AS_OF}"
    assert {el.tag for el in root} == {"XFJ"} and len(root) == summary["feeds"][CID]["records"] > 300
    assert all([child.tag for child in el] == [col.source for col in c.columns] for el in root)


def test_truth_agrees_with_the_rules_at_default_rates(city):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    assert len(frame) > 300 and 0.93 < tr.is_valid.mean() < 1


def test_every_defect_kind_is_applied_and_judged(damaged):
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    rates = high_rates(CID)
    assert set(rates) <= set(df.defect_counts(tr))
    # a 15-digit number exists only for someone born before 1985; 满意度 is there only once a petition is closed
    born = frame.petitioner_id_number.str[6:10]
    undamaged_old = ((born < "1985") & (frame.petitioner_id_number.str.len() == 18)).sum()
    assert_rates_near(tr, rates, {"legacy_15_digit": int(undamaged_old) + df.defect_counts(tr).get("legacy_15_digit", 0)})


def test_petitions_are_the_worlds_with_their_lifecycle(city):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    ours = events[events.kind == "petition"].set_index("event_id")
    assert set(tr.entity_key) == set(ours.index) and len(frame) == len(ours)
    clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
    e = ours.loc[clean.petition_id]
    assert (clean.registered_at.to_numpy() == e.reported_at.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()).all()
    assert (clean.channel.to_numpy() == e.channel.to_numpy()).all()
    assert (clean.deadline.to_numpy() == e.due_at.dt.strftime("%Y-%m-%d").to_numpy()).all()
    status = {"已评价": "已办结", "已办结": "已办结", "已派遣": "办理中", "已上报": "待受理"}
    assert (clean.status.to_numpy() == e.status.map(status).to_numpy()).all()
    evaluated = e.satisfaction.notna().to_numpy()
    assert (clean.satisfaction[evaluated].to_numpy() == e.satisfaction[evaluated].to_numpy()).all()
    assert (clean.satisfaction[~evaluated & (clean.status == "已办结").to_numpy()] == "未评价").all()
    assert (clean.updated_at >= clean.registered_at).all()


def test_petitioners_are_residents_under_their_own_ids(damaged):
    """Judged by python-stdnum: the ID number is valid exactly where no ID defect was put, and is the
    resident's own, with the resident's name and phone."""
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    hit = tr.loc[frame.index, "defects"].map(lambda d: bool(ID_KINDS & set(d))).to_numpy()
    valid = [ric.is_valid(v) if len(v) == 18 and v.isascii() else False for v in frame.petitioner_id_number]
    assert [not h for h in hit] == valid and hit.sum() > 0
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("id_number")
    good = frame[~hit & (frame.petitioner_name != "").to_numpy()]
    assert good.petitioner_id_number.isin(persons.index).mean() > 0.95  # the rest: outsiders of an empty grid
    mine = good[good.petitioner_id_number.isin(persons.index)]
    p = persons.loc[mine.petitioner_id_number]
    assert (mine.petitioner_name.to_numpy() == p.name.to_numpy()).all()


def test_delta_days_send_each_days_petitions(city):
    out, summary, contracts = city
    day0, _ = delivered(out, summary, contracts[CID], 0)
    updates = pd.read_parquet(out / "sim" / "truth" / "event_updates.parquet")
    sent = 0
    for day in (1, 2):
        worked = AS_OF + dt.timedelta(days=day - 1)  # the file dated as_of + d carries the day before's work
        frame, tr = assert_truth_agrees(out, summary, contracts[CID], day=day)
        if day == 2:  # truth's event_updates holds the steps of the days after the as-of date
            assert set(tr.entity_key) == updated_on(updates, "petition", worked)
        assert (frame.updated_at.str[:10] == f"{worked}").all()
        before = day0.set_index("petition_id")
        again = frame[frame.petition_id.isin(before.index)]
        assert len(again) > 0 and (again.updated_at.to_numpy() > before.updated_at.loc[again.petition_id].to_numpy()).all()
        # the same petitioner on every version of a petition
        assert (again.petitioner_name.to_numpy() == before.petitioner_name.loc[again.petition_id].to_numpy()).mean() > 0.9
        sent += len(frame)
    assert 0 < sent < len(day0) / 20
