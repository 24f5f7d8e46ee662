"""残联 持证残疾人: GBK CSV, 20-character 残疾人证号 = ID + category + grade, truth agreeing with the rules."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from simulator.defects import DEFAULTS
from simulator.feeds.canlian import CATEGORIES, GRADES
from tests.simulator import draft_feeds as df

FEEDS = ["canlian.canji"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("canlian"), FEEDS)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {"canlian.canji": {k: 0.08 for k in DEFAULTS["canlian.canji"].rates
                               if k not in ("address_variant", "duplicate")}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("canlian_bad"), FEEDS, persons=3000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_gbk_csv_with_the_contract_header(city):
    out, summary, contracts, records, _ = city
    c = contracts["canlian.canji"]
    raw = (out / "landing" / summary["feeds"][c.id]["path"]).read_bytes()
    assert raw.decode("gbk").split("\r\n", 1)[0] == ",".join(col.source for col in c.columns)
    assert len(df.day_truth(records, c.id)) == summary["feeds"][c.id]["records"] > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["canlian.canji"]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys) > 0


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records, keys = damaged
    c = contracts["canlian.canji"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    df.assert_truth_matches_rules(frame, c, tr, keys)
    assert "bad_card_check" in df.defect_counts(tr) and len(df.defect_counts(tr)) >= 6


def test_card_number_is_id_category_grade(city):
    out, summary, contracts, records, _ = city
    frame, _ = df.delivery(out, summary, contracts["canlian.canji"])
    tr = df.day_truth(records, "canlian.canji")
    cats = {name: str(i) for i, (name, _) in enumerate(CATEGORIES, 1)}
    grades = {name: str(i) for i, (name, _) in enumerate(GRADES, 1)}
    clean = tr.index[tr.defects.map(len) == 0]
    assert len(clean) > 10
    for row in clean:
        r = frame.loc[row]
        assert r.card_id == r.id_number + cats[r.category] + grades[r.grade]
        assert ric.is_valid(r.card_id[:18])
