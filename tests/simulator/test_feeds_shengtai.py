"""生态环境局 环境投诉 (a JSON document, records under ``rows``; delta): the world's environmental complaints,
naming the world's enterprises and shops, read by the pipeline's reader, the truth agreeing with the rules.
A busy world (see test_feeds_xiaofang) gives a few hundred complaints in a 3,000-person city."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from stdnum.cn import uscc as stdnum_uscc

from tests.simulator import draft_feeds as df
from tests.simulator.conftest import AS_OF
from tests.simulator.test_feeds_xiaofang import (assert_rates_near, assert_truth_agrees, busy_city, delivered,
                                                 digests, high_rates, updated_on)

CID = "shengtai.tousu"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return busy_city(tmp_path_factory.mktemp("shengtai"), [CID], persons=3000, days=2)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    return busy_city(tmp_path_factory.mktemp("shengtai_bad"), [CID], persons=3000, rates={CID: high_rates(CID)})


def test_a_json_document_with_its_rows_under_rows(city):
    out, summary, contracts = city
    c = contracts[CID]
    doc = json.loads((out / "landing" / summary["feeds"][CID]["path"]).read_bytes().decode("utf-8"))
    assert list(doc) == ["code", "msg", "exportTime", "rows"] and doc["code"] == 200
    assert len(doc["rows"]) == summary["feeds"][CID]["records"] > 300
    assert all(list(r) == [col.source for col in c.columns] for r in doc["rows"])
    # an absent value is null, as the department's system exports it, never an empty string
    assert any(r["BTSDXXYDM"] is None for r in doc["rows"]) and not any("" in r.values() for r in doc["rows"])


def test_truth_agrees_with_the_rules_at_default_rates(city):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    assert len(frame) > 300 and 0.93 < tr.is_valid.mean() < 1


def test_every_defect_kind_is_applied_and_judged(damaged):
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    rates = high_rates(CID)
    assert set(rates) <= set(df.defect_counts(tr))
    # credit codes and phones are there to damage only where a company is named and the caller gave a number
    pools = {"bad_uscc": int((frame.respondent_uscc != "").sum()),
             "bad_phone": int((frame.complainant_phone != "").sum())}
    assert_rates_near(tr, rates, pools)


def test_complaints_are_the_worlds_with_their_lifecycle(city):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    ours = events[events.kind == "environment"].set_index("event_id")
    assert set(tr.entity_key) == set(ours.index) and len(frame) == len(ours)
    clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
    e = ours.loc[clean.complaint_id]
    assert (clean.received_at.to_numpy() == e.reported_at.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()).all()
    assert (clean.closed_at.to_numpy() == e.closed_at.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").to_numpy()).all()
    assert (clean.location.to_numpy() == e.address.fillna("").to_numpy()).all()
    assert ((clean.status == "已办结").to_numpy() == e.closed_at.notna().to_numpy()).all()
    assert (clean.updated_at >= clean.received_at).all() and (clean.updated_at >= clean.closed_at).all()
    # the department's pollution type is the world's category, in its own words
    assert (clean.pollution_type.to_numpy() == e.category.str.removesuffix("污染").to_numpy()).all()


def test_respondents_are_the_worlds_firms_and_complainants_its_residents(damaged):
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts[CID])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet").set_index("uscc")
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet").set_index("event_id")
    named = frame[frame.respondent_uscc != ""]
    hit = tr.loc[named.index, "defects"].map(lambda d: "bad_uscc" in d).to_numpy()
    assert [not h for h in hit] == [stdnum_uscc.is_valid(v) for v in named.respondent_uscc] and hit.sum() > 0
    good = named[~hit]
    assert len(good) > 50 and set(good.respondent_uscc) <= set(orgs.index)
    o = orgs.loc[good.respondent_uscc]
    assert (good.respondent.to_numpy() == o.name.to_numpy()).all()
    assert (o.grid_code.to_numpy() == events.loc[good.complaint_id, "grid_code"].to_numpy()).all()
    noise = events.loc[good.complaint_id, "category"].to_numpy() == "噪声污染"  # as sent, the type may be damaged
    assert (o.category[noise] == "individual_business").all() and (o.category[~noise] == "enterprise").all()
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    residents = set(zip(persons.name, persons.phone))
    callers = frame[(frame.complainant_name != "")
                    & tr.loc[frame.index, "defects"].map(lambda d: "bad_phone" not in d).to_numpy()]
    assert len(callers) > 100 and all(p in residents for p in zip(callers.complainant_name, callers.complainant_phone))


def test_delta_days_send_each_days_complaints(city):
    out, summary, contracts = city
    day0, _ = delivered(out, summary, contracts[CID], 0)
    updates = pd.read_parquet(out / "sim" / "truth" / "event_updates.parquet")
    sent = 0
    for day in (1, 2):
        worked = AS_OF + dt.timedelta(days=day - 1)  # the file dated as_of + d carries the day before's work
        frame, tr = assert_truth_agrees(out, summary, contracts[CID], day=day)
        if day == 2:  # truth's event_updates holds the steps of the days after the as-of date
            assert set(tr.entity_key) == updated_on(updates, "environment", worked)
        assert (frame.updated_at.str[:10] == f"{worked}").all()
        before = day0.set_index("complaint_id").updated_at
        again = frame[frame.complaint_id.isin(before.index)]
        assert len(again) > 0 and (again.updated_at.to_numpy() > before.loc[again.complaint_id].to_numpy()).all()
        sent += len(frame)
    assert 0 < sent < len(day0) / 20
