"""检察院 公益诉讼线索 (GBK, tab-separated, delta): the world's public-interest leads, then each day's changes.

A real city sees ~0.2 leads per 1,000 persons a year, so a test city would hold one or two: the tests raise
the world's rate for public-interest events (``events.KINDS``) five hundredfold, which changes no other kind."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from simulator.feeds.jianchayuan import FEEDS
from simulator.world import events
from tests.simulator import draft_feeds as df

CID = "jianchayuan.gongyi"
DEFAULT = FEEDS[0].defects


@pytest.fixture(scope="module", autouse=True)
def many_leads():
    with pytest.MonkeyPatch.context() as mp:
        kind = events.KINDS["public_interest"]
        mp.setitem(events.KINDS, "public_interest", dataclasses.replace(kind, per_person_year=kind.per_person_year * 500))
        yield


@pytest.fixture(scope="module")
def city(tmp_path_factory, many_leads):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("gongyi"), [CID], persons=2000, days=2)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, many_leads):
    rates = {CID: {k: 0.1 for k in DEFAULT.rates}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("gongyi_bad"), [CID], persons=2000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out)


def test_gbk_tab_separated_with_the_contract_header(city):
    out, summary, contracts, records = city
    raw = (out / "landing" / summary["feeds"][CID]["path"]).read_bytes()
    assert raw.decode("gbk").split("\r\n", 1)[0] == "\t".join(col.source for col in contracts[CID].columns)
    assert len(df.day_truth(records, CID)) == summary["feeds"][CID]["records"] > 100


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records = city
    for day in (0, 1):
        frame, _ = df.delivery(out, summary, contracts[CID], day)
        df.assert_truth_matches_rules(frame, contracts[CID], df.day_truth(records, CID, day), set())
    assert 0.9 < df.day_truth(records, CID).is_valid.mean() < 1


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records = damaged
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    df.assert_truth_matches_rules(frame, contracts[CID], tr, set())
    assert set(df.defect_counts(tr)) == set(DEFAULT.rates)
    df.assert_rates(tr, {k: 0.1 for k in DEFAULT.rates}, grids=1)


def test_leads_are_the_worlds_public_interest_events(city):
    out, summary, contracts, records = city
    ev = pd.read_parquet(out / "sim" / "truth" / "events.parquet").set_index("event_id")
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    assert set(frame.lead_id) == set(ev[ev.kind == "public_interest"].index) == set(tr.entity_key)
    clean = tr.index[tr.defects.map(len) == 0]
    seen = ev.loc[frame.loc[clean, "lead_id"]]
    assert (frame.loc[clean, "received_date"].to_numpy() == seen.reported_at.dt.strftime("%Y%m%d").to_numpy()).all()
    assert (frame.loc[clean, "field"].to_numpy() == seen.category.to_numpy()).all()
    closed = seen.closed_at.notna().to_numpy()
    ended = frame.loc[clean, "status"].isin(["诉前检察建议", "提起诉讼", "终结"]).to_numpy()
    assert (ended == closed).all() and ((frame.loc[clean, "closed_date"] != "").to_numpy() == closed).all()
    assert (frame.loc[clean, "division_code"].to_numpy() == seen.district_code.to_numpy()).all()


def test_delta_days_send_the_previous_days_changes_later(city):
    """About one change a day even at this rate: two delta days, each holding exactly the day before it."""
    out, summary, contracts, records = city
    day0, _ = df.delivery(out, summary, contracts[CID], 0)
    sent = 0
    for day in (1, 2):
        delta, _ = df.delivery(out, summary, contracts[CID], day)
        start = pd.Timestamp(df.as_of_date()) + pd.Timedelta(days=day - 1)
        changed = pd.to_datetime(delta.updated_at)
        assert ((changed >= start) & (changed < start + pd.Timedelta(days=1))).all()
        again = delta.merge(day0, on="lead_id", suffixes=("", "_before"))
        assert (pd.to_datetime(again.updated_at) > pd.to_datetime(again.updated_at_before)).all()
        sent += len(delta)
    assert 0 < sent < len(day0)
