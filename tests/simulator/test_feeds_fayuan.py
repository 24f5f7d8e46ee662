"""法院 民商事案件 (UTF-8 CSV, delta): the world's civil cases of the year, then each day's filings and closings."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from simulator.feeds.fayuan import FEEDS
from tests.simulator import draft_feeds as df

CID = "fayuan.minshi"
DEFAULT = FEEDS[0].defects


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("fayuan"), [CID], persons=3000, days=1)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {CID: {k: 0.1 for k in DEFAULT.rates}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("fayuan_bad"), [CID], persons=5000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out)


def test_utf8_csv_with_the_contract_header(city):
    out, summary, contracts, records = city
    raw = (out / "landing" / summary["feeds"][CID]["path"]).read_bytes()
    assert raw.decode("utf-8").split("\r\n", 1)[0] == ",".join(col.source for col in contracts[CID].columns)
    assert len(df.day_truth(records, CID)) == summary["feeds"][CID]["records"] > 20


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records = city
    for day in (0, 1):  # day 1 holds the as-of day's changes: judged as of the full load's date too
        frame, _ = df.delivery(out, summary, contracts[CID], day)
        df.assert_truth_matches_rules(frame, contracts[CID], df.day_truth(records, CID, day), set())
    assert 0.9 < df.day_truth(records, CID).is_valid.mean() <= 1


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records = damaged
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    df.assert_truth_matches_rules(frame, contracts[CID], tr, set())
    assert set(df.defect_counts(tr)) == set(DEFAULT.rates)
    df.assert_rates(tr, {k: 0.1 for k in DEFAULT.rates}, grids=1)  # one chunk: the whole year


def test_cases_are_the_worlds_civil_events(city):
    out, summary, contracts, records = city
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet").set_index("event_id")
    tr = df.day_truth(records, CID)
    frame, _ = df.delivery(out, summary, contracts[CID])
    civil = events[events.kind == "civil"]
    assert set(tr.entity_key) == set(civil.index)
    assert (frame.case_uid == tr.loc[frame.index, "entity_key"]).all()
    assert frame.case_no.is_unique
    assert frame.case_no.map(lambda v: bool(re.fullmatch(r"（20\d\d）赣09(\d\d)?民(初|终|特|再)\d+号", v))).all()
    clean = tr.index[tr.defects.map(len) == 0]
    seen = events.loc[tr.loc[clean, "entity_key"]]
    assert (frame.loc[clean, "filed_date"].to_numpy() == seen.reported_at.dt.strftime("%Y-%m-%d").to_numpy()).all()
    closed = seen.closed_at.notna().to_numpy()
    assert ((frame.loc[clean, "closed_date"] != "").to_numpy() == closed).all()
    assert ((frame.loc[clean, "closing_method"] != "").to_numpy() == closed).all()


def test_a_delta_day_sends_the_days_filings_and_closings_later(city):
    out, summary, contracts, records = city
    day0, _ = df.delivery(out, summary, contracts[CID], 0)
    day1, _ = df.delivery(out, summary, contracts[CID], 1)
    assert 0 < len(day1) < len(day0)
    as_of = pd.Timestamp(df.as_of_date())
    changed = pd.to_datetime(day1.updated_at)
    assert ((changed >= as_of) & (changed < as_of + pd.Timedelta(days=1))).all()  # the as-of day, no gap
    again = day1.merge(day0, on="case_no", suffixes=("", "_before"))
    assert (pd.to_datetime(again.updated_at) > pd.to_datetime(again.updated_at_before)).all()
