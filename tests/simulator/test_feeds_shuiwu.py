"""税务局 纳税人 (UTF-8 CSV): the world's taxpayer organisations under the same credit codes as 市场监管,
valid GB 32100 codes exactly where no defect was put, truth agreeing with the rules."""

from __future__ import annotations

import pandas as pd
import pytest
from stdnum.cn import uscc as stdnum_uscc

from expectations import rules
from simulator.feeds.shuiwu import FEEDS
from tests.simulator import draft_feeds as df

CID = "shuiwu.nashuiren"
FEEDS_ON = [CID, "shichang.qiye", "shichang.getihu"]
DEFAULT = FEEDS[0].defects


@pytest.fixture(scope="module", autouse=True)
def uscc_rule():
    # draft_feeds judges the rules the person feeds use; the credit code is judged with the same predicate
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(df._EXTRA, "gb32100_uscc", lambda frame, rule: rules.gb32100_uscc(frame[rule.column]))
        yield


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("shuiwu"), FEEDS_ON, persons=2000)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {CID: {k: 0.08 for k in DEFAULT.rates}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("shuiwu_bad"), [CID], persons=2000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out)


def test_utf8_csv_with_the_contract_header(city):
    out, summary, contracts, records = city
    c = contracts[CID]
    raw = (out / "landing" / summary["feeds"][CID]["path"]).read_bytes()
    assert raw.decode("utf-8").split("\r\n", 1)[0] == ",".join(col.source for col in c.columns)
    assert len(df.day_truth(records, CID)) == summary["feeds"][CID]["records"] > 50


def test_truth_agrees_with_the_rules_at_default_rates(city):
    out, summary, contracts, records = city
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    df.assert_truth_matches_rules(frame, contracts[CID], tr, set())
    assert 0.9 < tr.is_valid.mean() < 0.99


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records = damaged
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    df.assert_truth_matches_rules(frame, contracts[CID], tr, set())
    assert set(df.defect_counts(tr)) == set(DEFAULT.rates)
    df.assert_rates(tr, {k: 0.08 for k in DEFAULT.rates}, grids=summary["grids"])


def test_taxpayers_are_the_worlds_orgs_under_the_market_registers_codes(city):
    out, summary, contracts, records = city
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    tr = df.day_truth(records, CID)
    assert set(tr.entity_key) == set(orgs[orgs.is_taxpayer].uscc)
    market = set(records[records.contract_id.isin(["shichang.qiye", "shichang.getihu"])].entity_key)
    assert set(tr.entity_key) <= market
    frame, _ = df.delivery(out, summary, contracts[CID])
    clean = tr.index[tr.defects.map(len) == 0]
    assert (frame.loc[clean, "taxpayer_id"] == tr.loc[clean, "entity_key"]).all()
    named = orgs.set_index("uscc").name
    assert (frame.loc[clean, "name"] == named.loc[tr.loc[clean, "entity_key"]].to_numpy()).all()


def test_credit_codes_valid_exactly_where_no_defect_was_injected(damaged):
    """Judged by python-stdnum, not only by the project's own rule."""
    out, summary, contracts, records = damaged
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    hit = tr.loc[frame.index, "defects"].map(lambda d: "bad_uscc" in d)
    valid = frame.taxpayer_id.map(stdnum_uscc.is_valid)
    assert (valid == ~hit).all() and hit.sum() > 5


def test_a_delta_day_is_a_full_snapshot(tmp_path):
    out, summary, contracts = df.simulate_with(tmp_path, [CID], persons=1000, days=1)
    days = summary["feeds"][CID]["days"]
    assert days[1]["path"] != days[0]["path"] and days[1]["records"] == days[0]["records"]
    day0, _ = df.delivery(out, summary, contracts[CID], 0)
    day1, _ = df.delivery(out, summary, contracts[CID], 1)
    assert set(day0.taxpayer_id) == set(day1.taxpayer_id)
