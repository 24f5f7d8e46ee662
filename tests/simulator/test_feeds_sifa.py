"""司法 刑满释放人员: an xlsx with a title row, read by the pipeline's reader, truth agreeing with the rules."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from simulator.defects import DEFAULTS
from tests.simulator import draft_feeds as df

FEEDS = ["sifa.xingman"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):  # 3,000 persons: a 1,000-person city holds one or two released prisoners
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("sifa"), FEEDS, persons=3000)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {"sifa.xingman": {k: 0.3 for k in DEFAULTS["sifa.xingman"].rates if k not in ("address_variant", "duplicate")}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("sifa_bad"), FEEDS, persons=4000, rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_xlsx_title_then_header(city):
    out, summary, contracts, records, _ = city
    c = contracts["sifa.xingman"]
    wb = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])
    ws = wb[c.delivery.sheet]
    assert ws["A1"].value.startswith("宜春市刑满释放人员安置帮教信息表")
    assert [cell.value for cell in ws[c.delivery.header_row]] == [col.source for col in c.columns]
    assert ws.max_row - c.delivery.header_row == len(df.day_truth(records, c.id)) > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["sifa.xingman"]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys) > 0


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records, keys = damaged
    c = contracts["sifa.xingman"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    df.assert_truth_matches_rules(frame, c, tr, keys)
    assert len(df.defect_counts(tr)) >= 3 and tr.defects.map(len).gt(0).mean() > 0.3


def test_released_are_registered_adults(city):
    out, summary, contracts, records, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    tr = df.day_truth(records, "sifa.xingman")
    assert (persons.loc[list(tr.entity_key)].population_type == "户籍").all()
    assert len(tr) < 0.01 * len(persons)
