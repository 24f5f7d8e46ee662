"""妇联 留守儿童 (GBK CSV, full) and 维权案件 (GBK CSV, delta): registered children under 16 whose parents both
work away, cared for by a grandparent or an adult of the grid and enrolled in the world's schools; rights cases
about resident women and children. A few 留守儿童 lines arrive as UTF-8 inside the GBK export (recoverable)."""

from __future__ import annotations

import pandas as pd
import pytest
from stdnum.cn import ric

from expectations import rules
from ingest.load import read_file
from simulator.feeds import fulian
from tests.simulator import draft_feeds as df

KIDS, CASES = "fulian.liushou_ertong", "fulian.weiquan"
FEEDS_ON = [KIDS, CASES, "gongan.hukou"]
DEFAULTS = {s.contract_id: s.defects for s in fulian.FEEDS}


@pytest.fixture(scope="module", autouse=True)
def judged():
    """The village code is judged with the validity rules' own predicate (draft_feeds covers the person
    feeds' rules); real cases are rare (~1.5 per 1,000 women and children a year): forty times as many here, so a delta day has some."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(df._EXTRA, "stats_division_code", lambda frame, rule: rules.stats_division_code(frame[rule.column]))
        mp.setattr(fulian, "CASES_PER_YEAR", fulian.CASES_PER_YEAR * 40)
        yield


@pytest.fixture(scope="module")
def city(tmp_path_factory, judged):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("fulian"), FEEDS_ON, persons=5000, days=1)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, judged):
    rates = {cid: {k: 0.08 for k in d.rates if k not in ("address_variant", "duplicate", "mojibake")}
             for cid, d in DEFAULTS.items()}
    rates[KIDS] |= {"duplicate": 0.05, "mojibake": 0.2}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("fulian_bad"), [KIDS, CASES], persons=5000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def _frame(out, summary, contract, day=0):
    frame, batch = df.delivery(out, summary, contract, day)
    # the address parser falls back on a division column; 留守儿童 addresses always name their district
    return (frame.assign(division_code="") if "division_code" not in frame else frame), batch


@pytest.mark.parametrize("cid", [KIDS, CASES])
def test_gbk_csv_with_the_contract_header(city, cid):
    out, summary, contracts, records, _ = city
    raw = (out / "landing" / summary["feeds"][cid]["path"]).read_bytes()
    assert raw.decode("gbk").split("\r\n", 1)[0] == ",".join(col.source for col in contracts[cid].columns)
    assert len(df.day_truth(records, cid)) == summary["feeds"][cid]["records"] > 20


@pytest.mark.parametrize("cid", [KIDS, CASES])
def test_truth_agrees_with_the_rules_at_default_rates(city, cid):
    out, summary, contracts, records, keys = city
    for day in (0, 1):
        frame, _ = _frame(out, summary, contracts[cid], day)
        df.assert_truth_matches_rules(frame, contracts[cid], df.day_truth(records, cid, day), keys)
    assert 0.8 < df.day_truth(records, cid).is_valid.mean() < 1


@pytest.mark.parametrize("cid", [KIDS, CASES])
def test_every_defect_kind_is_judged_as_the_truth_says(damaged, cid):
    out, summary, contracts, records, keys = damaged
    frame, batch = _frame(out, summary, contracts[cid])
    tr = df.day_truth(records, cid)
    df.assert_truth_matches_rules(frame, contracts[cid], tr, keys)
    wanted = set(DEFAULTS[cid].rates)  # address variants at their default rate
    assert set(df.defect_counts(tr)) == wanted
    df.assert_rates(tr, {k: 0.08 for k in wanted if k not in ("duplicate", "mojibake", "address_variant")},
                    grids=summary["grids"])


def test_utf8_lines_in_the_gbk_export_are_read_back_intact(damaged):
    out, summary, contracts, records, _ = damaged
    rel = summary["feeds"][KIDS]["path"]
    data = (out / "landing" / rel).read_bytes()
    tr = df.day_truth(records, KIDS)
    hit = tr[tr.defects.map(lambda d: "mojibake" in d)]
    assert 0.05 < len(hit) / len(tr) < 0.4  # 0.2 of ~45 records: a wide band, never flaky
    lines = data.split(b"\r\n")
    for row in hit.index[:10]:
        assert lines[int(row) - 1].decode("utf-8") and lines[int(row) - 1] != lines[int(row) - 1].decode("utf-8").encode("gbk")
    batch = read_file(contracts[KIDS], data, rel)
    assert not batch.bad_rows and any("UTF-8" in n for n in batch.notes)


def test_left_behind_children_are_minors_whose_parents_are_away(city):
    out, summary, contracts, records, _ = city
    frame, _ = _frame(out, summary, contracts[KIDS])
    tr = df.day_truth(records, KIDS)
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    by_key = persons.set_index("person_key")
    households = persons.groupby("household_id")
    clean = tr.index[tr.defects.map(len) == 0]
    assert len(clean) > 20
    for row in clean:
        r, p = frame.loc[row], by_key.loc[tr.at[row, "entity_key"]]
        assert r.id_number == p.id_number and ric.is_valid(r.id_number) and r["name"] == p["name"]
        assert p.population_type == "户籍" and p.relation_to_head in ("子", "女")
        assert (df.as_of_date() - p.birth_date).days < 16 * 365.25
        home = households.get_group(p.household_id)
        parents = home[home.relation_to_head.isin(["户主", "配偶"])]
        # a guardian from another household may share a parent's name (names repeat in a grid), never a parent
        neighbours = persons[(persons.grid_code == p.grid_code) & (persons.household_id != p.household_id)]
        assert len(parents) == 2 and (r.guardian_name not in set(parents.name)
                                      or r.guardian_name in set(neighbours.name))
        ages = [(df.as_of_date() - b).days / 365.25 for b in parents.birth_date]
        assert all(20 <= a <= 51 for a in ages)
        if r.care_type == "祖辈监护":
            assert r.guardian_name in set(home[home.relation_to_head.isin(["父亲", "母亲"])].name)
        else:
            assert r.guardian_name in set(persons[persons.grid_code == p.grid_code].name)
        assert r.village_code[:6] == p.division_code and len(r.village_code) == 12
    # ID numbers valid exactly where no ID defect was put
    hit = tr.loc[frame.index, "defects"].map(lambda d: bool({"bad_check_digit", "fullwidth_digits"} & set(d)))
    # python-stdnum reads full-width digits as digits; the rule judges the number as sent (half-width only)
    valid = frame.id_number.map(lambda v: v.isascii() and ric.is_valid(v)).astype(bool)
    assert (valid.to_numpy() == ~hit.astype(bool).to_numpy()).all(), frame[valid.to_numpy() == hit.to_numpy()]


def test_schools_are_the_worlds_enrolment(city):
    out, summary, contracts, records, _ = city
    frame, _ = _frame(out, summary, contracts[KIDS])
    tr = df.day_truth(records, KIDS)
    students = pd.read_parquet(out / "sim" / "truth" / "students.parquet")
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet").set_index("uscc")
    school_of = dict(zip(students.person_key, orgs.loc[students.school_uscc, "name"]))
    expected = tr.loc[frame.index, "entity_key"].map(lambda k: school_of.get(k, ""))
    assert (frame.school == expected).all() and (frame.school != "").sum() > 10


def test_rights_cases_are_about_resident_women_and_children(city):
    out, summary, contracts, records, _ = city
    frame, _ = _frame(out, summary, contracts[CASES])
    tr = df.day_truth(records, CASES)
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    subjects = persons.loc[tr.entity_key]
    ages = subjects.birth_date.map(lambda b: (df.as_of_date() - b).days / 365.25)
    assert ((subjects.sex == "女") | (ages < 18)).all()
    assert frame.case_id.is_unique
    clean = tr.index[tr.defects.map(len) == 0]
    received = pd.to_datetime(frame.loc[clean, "received_date"])
    assert (received < pd.Timestamp(df.as_of_date())).all()
    assert (received >= pd.Timestamp(df.as_of_date()) - pd.Timedelta(days=365)).all()
    closed = frame.status == "办结"
    assert ((frame.closed_date != "") == closed).all()


def test_a_delta_day_sends_only_the_as_of_days_changes(city):
    out, summary, contracts, records, _ = city
    day0, _ = _frame(out, summary, contracts[CASES], 0)
    day1, _ = _frame(out, summary, contracts[CASES], 1)
    assert 0 < len(day1) < len(day0)
    as_of = pd.Timestamp(df.as_of_date())
    changed = pd.to_datetime(day1.updated_at)
    assert ((changed >= as_of) & (changed < as_of + pd.Timedelta(days=1))).all()
    again = day1.merge(day0, on="case_id", suffixes=("", "_before"))
    assert (pd.to_datetime(again.updated_at) > pd.to_datetime(again.updated_at_before)).all()
    # 留守儿童 is a full register: the same children again
    kids0, _ = _frame(out, summary, contracts[KIDS], 0)
    kids1, _ = _frame(out, summary, contracts[KIDS], 1)
    assert set(kids0.child_id) == set(kids1.child_id)
