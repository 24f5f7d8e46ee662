"""教体局 学校 and 在校学生 (UTF-8 CSV with a BOM): schools are the world's schools; students are the school-age
residents the world enrols, under the 学校标识码 of their school; truth agreeing with the rules."""

from __future__ import annotations

import pandas as pd
import pytest
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from simulator.defects import default_config
from simulator.feeds.jiaoti import school_code
from tests.simulator import draft_feeds as df
from tests.simulator.test_feeds_minzheng import run_feed
from tests.simulator.world_feeds import assert_truth_matches

FEEDS = ["jiaoti.xuexiao", "jiaoti.xuesheng"]
NO_MOJIBAKE = {"jiaoti.xuexiao": {"mojibake": 0.0}}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("jiaoti"), FEEDS, persons=3000, days=1,
                                               rates=NO_MOJIBAKE)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def students_frame(city, day: int = 0) -> pd.DataFrame:
    out, summary, contracts, _records, _keys = city
    frame, _ = df.delivery(out, summary, contracts["jiaoti.xuesheng"], day)
    return frame.assign(division_code="")  # the address names its district: the parser needs no column


def test_csv_with_bom_and_the_contract_header(city):
    out, summary, contracts, records, _ = city
    for cid in FEEDS:
        c = contracts[cid]
        raw = (out / "landing" / summary["feeds"][cid]["path"]).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw[3:].decode("utf-8").split("\r\n", 1)[0] == ",".join(col.source for col in c.columns)
        assert len(df.day_truth(records, cid)) == summary["feeds"][cid]["records"] > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["jiaoti.xuesheng"]
    assert df.assert_truth_matches_rules(students_frame(city), c, df.day_truth(records, c.id), keys) > 200
    assert_truth_matches(out, contracts["jiaoti.xuexiao"])


def test_students_are_the_worlds_enrolment(city):
    """Every school-age resident the world enrols is listed once (plus the appended duplicates), in the
    school the world says, a school of their township (senior middle schools: of their district)."""
    out, summary, contracts, records, _ = city
    truth = out / "sim" / "truth"
    students, orgs = pd.read_parquet(truth / "students.parquet"), pd.read_parquet(truth / "orgs.parquet")
    grids = pd.read_parquet(truth / "grids.parquet").set_index("grid_code")
    schools = orgs[orgs.category == "school"].reset_index(drop=True)
    code_of = {u: school_code(i) for i, u in enumerate(schools.uscc, 1)}
    frame = students_frame(city)
    tr = df.day_truth(records, "jiaoti.xuesheng")
    original = tr[~tr.defects.map(lambda d: "duplicate" in d)]
    assert set(original.entity_key) == set(students.person_key) and original.entity_key.is_unique
    enrolled = students.set_index("person_key")
    school = schools.set_index("uscc")
    for row in tr.index:
        s = enrolled.loc[tr.at[row, "entity_key"]]
        assert frame.at[row, "school_code"] == code_of[s.school_uscc]
        host = school.loc[s.school_uscc]
        area = "district_code" if host.school_type == "高级中学" else "township_code"
        assert host[area] == grids.loc[s.grid_code, area]
        assert 6 <= s.age <= 17


def test_ids_valid_exactly_where_no_id_defect(city):
    out, summary, contracts, records, _ = city
    frame = students_frame(city)
    tr = df.day_truth(records, "jiaoti.xuesheng")
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    for row in frame.index:
        hit = {"bad_check_digit", "fullwidth_digits"} & set(tr.at[row, "defects"])
        # python-stdnum folds full-width digits to ASCII (the project's rule does not): judge those by their form
        value = frame.at[row, "id_number"]
        assert ric.is_valid(value) == ("bad_check_digit" not in hit)
        assert value.isascii() == ("fullwidth_digits" not in hit)
        p = persons.loc[tr.at[row, "entity_key"]]
        assert frame.at[row, "student_id"] == "G" + p.id_number
        if not hit:
            assert frame.at[row, "id_number"] == p.id_number


def test_schools_codes_valid_and_listed(city):
    out, summary, contracts, records, _ = city
    frame = assert_truth_matches(out, contracts["jiaoti.xuexiao"])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    tr = records[(records.contract_id == "jiaoti.xuexiao") & (records.day == 0)].set_index("row_number")
    assert set(tr.entity_key) == set(orgs[orgs.category == "school"].uscc)
    hit = tr.loc[frame.index.get_level_values(1), "defects"].map(lambda d: "bad_uscc" in d).to_numpy()
    assert [stdnum_uscc.is_valid(v) for v in frame.uscc] == [not h for h in hit]


def test_full_snapshot_each_day(city):
    _out, _summary, _contracts, records, _ = city
    for cid in FEEDS:
        mine = records[records.contract_id == cid]
        assert sorted(mine[mine.day == 0].entity_key) == sorted(mine[mine.day == 1].entity_key)


def test_every_kind_at_high_rates_and_default_rates_measured(tmp_path):
    kinds = [k for k in default_config()["jiaoti.xuesheng"].rates if k not in ("address_variant", "duplicate")]
    out, summary, contracts = df.simulate_with(tmp_path, ["jiaoti.xuesheng"], persons=2000,
                                               rates={"jiaoti.xuesheng": {k: 0.06 for k in kinds}})
    records = df.truth(out)
    keys = df.register(out, summary, contracts)
    frame, _ = df.delivery(out, summary, contracts["jiaoti.xuesheng"])
    tr = df.day_truth(records, "jiaoti.xuesheng")
    df.assert_truth_matches_rules(frame.assign(division_code=""), contracts["jiaoti.xuesheng"], tr, keys)
    assert set(kinds) <= set(df.defect_counts(tr))
    df.assert_rates(tr, {k: 0.06 for k in kinds}, summary["grids"])


def test_default_rates_measured(city):
    _out, summary, _contracts, records, _ = city
    tr = df.day_truth(records, "jiaoti.xuesheng")
    df.assert_rates(tr, default_config()["jiaoti.xuesheng"].rates, summary["grids"])
    assert 0.88 < tr.is_valid.mean() < 0.98


@pytest.fixture(scope="module")
def schools_damaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("xuexiao")
    kinds = ("bad_uscc", "bad_division", "wrong_code", "missing_required", "bad_stats_code")
    return out, run_feed(out, "jiaoti.xuexiao", persons=6000, days=0,
                         rates={k: 0.15 for k in kinds} | {"duplicate": 0.1, "mojibake": 0.0}), kinds


def test_school_defects_break_exactly_their_rules(schools_damaged):
    out, (paths, records, contract, _world, _grids), kinds = schools_damaged
    assert_truth_matches(out, contract)
    assert set(kinds) | {"duplicate"} <= set(df.defect_counts(records))


def test_school_list_mojibake_rows_are_quarantined(tmp_path):
    """Rows saved in GBK by a county inside the UTF-8 list cannot be decoded: the reader quarantines exactly
    the rows the truth marks ``_record:encoding``."""
    from ingest.load import read_file

    paths, records, contract, _world, _grids = run_feed(tmp_path, "jiaoti.xuexiao", persons=4000, days=0,
                                                        rates={"mojibake": 0.3})
    batch = read_file(contract, (tmp_path / "landing" / paths[0]).read_bytes(), paths[0])
    records = records[records.contract_id == contract.id]
    lost = records[records.broken_rules.map(lambda b: "_record:encoding" in b)]
    assert len(lost) > 0
    assert sorted(r.row_number for r in batch.bad_rows) == sorted(lost.row_number)
    assert len(batch.rows) + len(batch.bad_rows) == len(records)
