"""民政 低保/特困: a legacy .xls with the header on row 1, read by the pipeline's reader, truth agreeing with
the rules, every member of an assisted household listed."""

from __future__ import annotations

import pandas as pd
import pytest
import xlrd

from simulator.defects import DEFAULTS
from tests.simulator import draft_feeds as df

FEEDS = ["minzheng.dibao"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("minzheng"), FEEDS)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {"minzheng.dibao": {k: 0.1 for k in DEFAULTS["minzheng.dibao"].rates
                                if k not in ("address_variant", "duplicate")}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("minzheng_bad"), FEEDS, rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_xls_header_on_the_first_row(city):
    out, summary, contracts, records, _ = city
    c = contracts["minzheng.dibao"]
    book = xlrd.open_workbook(str(out / "landing" / summary["feeds"][c.id]["path"]))
    sheet = book.sheet_by_name(c.delivery.sheet)
    assert sheet.row_values(0) == [col.source for col in c.columns]
    assert sheet.nrows - 1 == len(df.day_truth(records, c.id)) > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["minzheng.dibao"]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys) > 0


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records, keys = damaged
    c = contracts["minzheng.dibao"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    df.assert_truth_matches_rules(frame, c, tr, keys)
    assert len(df.defect_counts(tr)) >= 5


def test_households_are_listed_whole(city):
    out, summary, contracts, records, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    frame, _ = df.delivery(out, summary, contracts["minzheng.dibao"])
    tr = df.day_truth(records, "minzheng.dibao")
    listed = persons[persons.person_key.isin(set(tr.entity_key))]
    assert (listed.population_type == "户籍").all()
    whole = persons[persons.household_id.isin(set(listed.household_id))]
    assert set(whole.person_key) == set(tr.entity_key)
    assert frame.household_id.nunique() == listed.household_id.nunique()


@pytest.fixture(scope="module")
def marriages(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("hunyin"), ["minzheng.hunyin"], persons=2000, days=1)
    return out, summary, contracts, df.truth(out)


def test_hunyin_xlsx_header_on_row_one_and_rules(marriages):
    from openpyxl import load_workbook

    out, summary, contracts, records = marriages
    c = contracts["minzheng.hunyin"]
    ws = load_workbook(out / "landing" / summary["feeds"][c.id]["days"][0]["path"])[c.delivery.sheet]
    assert [cell.value for cell in ws[1]] == [col.source for col in c.columns]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), set()) > 0


def test_hunyin_couples_are_a_man_and_a_woman_of_one_household(marriages):
    out, summary, contracts, records = marriages
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("id_number")
    frame, _ = df.delivery(out, summary, contracts["minzheng.hunyin"])
    checked = 0
    for r in frame.itertuples():
        if r.male_id_number in persons.index and r.female_id_number in persons.index:
            man, woman = persons.loc[r.male_id_number], persons.loc[r.female_id_number]
            assert (man.sex, woman.sex) == ("男", "女") and man.household_id == woman.household_id
            checked += 1
    assert checked > 0
    day1, _ = df.delivery(out, summary, contracts["minzheng.hunyin"], day=1)
    assert len(day1) == 0
