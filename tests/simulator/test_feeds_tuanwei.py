"""共青团 重点青少年: an xlsx with a title row, read by the pipeline's reader, truth agreeing with the rules."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from simulator.defects import DEFAULTS
from tests.simulator import draft_feeds as df

CID = "tuanwei.zhongdian_qingshaonian"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("tuanwei"), [CID], persons=2000)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    # key youth are ~0.2% of a city: high rates on a bigger city so that every kind shows up
    rates = {CID: {k: 0.3 for k in DEFAULTS[CID].rates if k not in ("address_variant", "duplicate")}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("tuanwei_bad"), [CID], persons=6000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_xlsx_title_then_header(city):
    out, summary, contracts, records, _ = city
    c = contracts[CID]
    ws = load_workbook(out / "landing" / summary["feeds"][c.id]["path"])[c.delivery.sheet]
    assert ws["A1"].value.startswith("宜春市重点青少年群体信息登记表")
    assert [cell.value for cell in ws[c.delivery.header_row]] == [col.source for col in c.columns]
    assert ws.max_row - c.delivery.header_row == len(df.day_truth(records, c.id)) > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    frame, _ = df.delivery(out, summary, contracts[CID])
    assert df.assert_truth_matches_rules(frame, contracts[CID], df.day_truth(records, CID), keys) > 0


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records, keys = damaged
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID)
    df.assert_truth_matches_rules(frame, contracts[CID], tr, keys)
    assert len(df.defect_counts(tr)) >= 4


def test_young_people_aged_6_to_25(city):
    out, summary, contracts, records, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    tr = df.day_truth(records, CID)
    for key in tr.entity_key:
        born = pd.Timestamp(persons.at[key, "birth_date"]).date()
        assert 6 <= (df.as_of_date() - born).days / 365.25 <= 26.1
