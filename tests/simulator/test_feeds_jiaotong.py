"""交通运输局 营运车辆 and 从业人员 (GBK CSV): one fleet of the one city — operators are the world's transport
companies (same credit codes as 市场监管) and truck-owning residents, drivers resident adults; plates valid GA 36
under 赣C exactly where bad_plate was put; a truncated last line is quarantined by the pipeline's reader."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from stdnum.cn import ric, uscc as stdnum_uscc

from expectations import rules
from ingest.load import read_file
from simulator.feeds import jiaotong
from tests.simulator import draft_feeds as df

CAR, DRIVER = "jiaotong.cheliang", "jiaotong.congye"
FEEDS_ON = [CAR, DRIVER, "shichang.qiye"]
DEFAULTS = {s.contract_id: s.defects for s in jiaotong.FEEDS}


@pytest.fixture(scope="module", autouse=True)
def uscc_rule():
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(df._EXTRA, "gb32100_uscc", lambda frame, rule: rules.gb32100_uscc(frame[rule.column]))
        yield


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    # no truncation here: the reader must read every row of a whole export
    rates = {CAR: {"truncated_last_line": 0.0}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("jiaotong"), FEEDS_ON, persons=5000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {cid: {k: 0.08 for k in d.rates if k != "truncated_last_line"} for cid, d in DEFAULTS.items()}
    rates[CAR]["truncated_last_line"] = 1.0
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("jiaotong_bad"), [CAR, DRIVER],
                                               persons=5000, rates=rates)
    return out, summary, contracts, df.truth(out)


def _read(out, summary, contract, day=0):
    """The delivery read by the pipeline's reader, the last line quarantined when it was cut."""
    rel = summary["feeds"][contract.id]["days"][day]["path"]
    return read_file(contract, (out / "landing" / rel).read_bytes(), rel)


def test_plate_helper():
    plates = [jiaotong.plate("ordinary", n) for n in range(5000)] + [jiaotong.plate("nev_small", n) for n in range(500)]
    assert len(set(plates)) == len(plates)
    assert rules.vehicle_plate(pd.Series(plates)).all()
    rng = random.Random(1)
    bad = [jiaotong.bad_plate(p, rng) for p in plates[:300] + plates[-300:]]
    assert not rules.vehicle_plate(pd.Series(bad)).any()


@pytest.mark.parametrize("cid", [CAR, DRIVER])
def test_gbk_csv_with_the_contract_header(city, cid):
    out, summary, contracts, records = city
    c = contracts[cid]
    raw = (out / "landing" / summary["feeds"][cid]["path"]).read_bytes()
    assert raw.decode("gbk").split("\r\n", 1)[0] == ",".join(col.source for col in c.columns)
    assert len(df.day_truth(records, cid)) == summary["feeds"][cid]["records"] > 20


@pytest.mark.parametrize("cid", [CAR, DRIVER])
def test_truth_agrees_with_the_rules_at_default_rates(city, cid):
    out, summary, contracts, records = city
    frame, _ = df.delivery(out, summary, contracts[cid])
    tr = df.day_truth(records, cid)
    df.assert_truth_matches_rules(frame, contracts[cid], tr, set())
    assert 0.8 < tr.is_valid.mean() < 1


@pytest.mark.parametrize("cid", [CAR, DRIVER])
def test_every_defect_kind_is_judged_as_the_truth_says(damaged, cid):
    out, summary, contracts, records = damaged
    c = contracts[cid]
    batch = _read(out, summary, c)
    tr = df.day_truth(records, cid)
    cut = tr.index[tr.defects.map(lambda d: "truncated_last_line" in d)]
    assert {b.row_number for b in batch.bad_rows} == set(cut)
    names = {col.source: col.name for col in c.columns}
    frame = pd.DataFrame([{names[k]: v or "" for k, v in r.values.items()} for r in batch.rows],
                         columns=[col.name for col in c.columns], dtype="string").fillna("")
    frame.index = [r.row_number for r in batch.rows]
    df.assert_truth_matches_rules(frame, c, tr.drop(cut), set())
    kinds = set(df.defect_counts(tr))
    assert kinds == set(DEFAULTS[cid].rates) | ({"truncated_last_line"} if cid == CAR else set())
    df.assert_rates(tr.drop(cut), {k: 0.08 for k in DEFAULTS[cid].rates if k != "truncated_last_line"},
                    grids=summary["grids"])


def test_a_truncated_export_ends_mid_record(damaged):
    out, summary, contracts, records = damaged
    raw = (out / "landing" / summary["feeds"][CAR]["path"]).read_bytes()
    assert not raw.endswith(b"\r\n")
    tr = df.day_truth(records, CAR)
    last = tr.loc[tr.index.max()]
    assert "truncated_last_line" in last.defects and not last.is_valid


def test_plates_valid_exactly_where_bad_plate_was_put(damaged):
    out, summary, contracts, records = damaged
    batch = _read(out, summary, contracts[CAR])
    tr = df.day_truth(records, CAR)
    for r in batch.rows:
        hit = "bad_plate" in tr.at[r.row_number, "defects"]
        assert bool(rules.vehicle_plate(pd.Series([r.values["车牌号码"]])).iloc[0]) != hit
        if not hit and "duplicate" not in tr.at[r.row_number, "defects"]:
            assert r.values["车牌号码"] == tr.at[r.row_number, "entity_key"]  # the true plate is the vehicle


def test_operators_are_the_worlds_companies_or_residents(city):
    out, summary, contracts, records = city
    frame, _ = df.delivery(out, summary, contracts[CAR])
    tr = df.day_truth(records, CAR)
    clean = frame.loc[tr.index[tr.defects.map(len) == 0]]
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet").set_index("uscc")
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    companies = clean[clean.operator_uscc != ""]
    market = set(records[records.contract_id == "shichang.qiye"].entity_key)
    assert len(companies) > 10 and set(companies.operator_uscc) <= market
    assert all(stdnum_uscc.is_valid(u) for u in companies.operator_uscc)
    assert (companies.operator_name.to_numpy() == orgs.loc[companies.operator_uscc, "name"].to_numpy()).all()
    transport = orgs.loc[companies.operator_uscc]
    assert ((transport.industry == jiaotong.TRANSPORT) | transport.is_hazardous_chemical).all()
    assert (transport.status == "存续").all()
    individuals = clean[clean.operator_uscc == ""]
    assert len(individuals) > 0 and set(individuals.operator_name) <= set(persons.name)
    assert clean.plate.str.startswith("赣C").all() and clean.plate.is_unique
    dangerous = clean.vehicle_type == "危险货物运输车"
    assert (clean[dangerous].business_scope == "危险货物运输").all()


def test_drivers_are_resident_adults_with_certificates(city):
    out, summary, contracts, records = city
    frame, _ = df.delivery(out, summary, contracts[DRIVER])
    tr = df.day_truth(records, DRIVER)
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    clean = tr.index[tr.defects.map(len) == 0]
    assert len(clean) > 30
    for row in clean:
        r, p = frame.loc[row], persons.loc[tr.at[row, "entity_key"]]
        assert r.id_number == p.id_number == r.certificate_no and r["name"] == p["name"] and ric.is_valid(r.id_number)
        birth = pd.Timestamp(p.birth_date)
        first = pd.Timestamp(r.first_issued)
        assert 20 <= (df.as_of_date() - birth.date()).days / 365.25 <= 61
        assert first > birth + pd.DateOffset(years=18) and r.valid_until > df.as_of_date().strftime("%Y%m%d")
    assert (frame.loc[clean, "sex"] == "男").mean() > 0.8
    # ID numbers valid exactly where no ID defect was put
    id_hit = tr.loc[frame.index, "defects"].map(lambda d: bool({"bad_check_digit", "legacy_15_digit",
                                                                  "fullwidth_digits"} & set(d)))
    # python-stdnum reads full-width digits as digits; the rule judges the number as sent (half-width only)
    valid = frame.id_number.map(lambda v: v.isascii() and ric.is_valid(v)).astype(bool).to_numpy()
    assert (valid == ~id_hit.astype(bool).to_numpy()).all()


def test_drivers_work_for_the_vehicle_operators_of_their_district(city):
    out, summary, contracts, records = city
    drivers, _ = df.delivery(out, summary, contracts[DRIVER])
    cars, _ = df.delivery(out, summary, contracts[CAR])
    employed = drivers[drivers.employer_name != ""]
    assert len(employed) > 5
    assert set(employed.employer_name) <= set(cars.operator_name)
    # truck owners drive their own truck: in the drivers' register with no employer
    owners = set(cars[cars.operator_uscc == ""].operator_name)
    assert owners & set(drivers[drivers.employer_name == ""].name)


def test_a_delta_day_is_a_full_snapshot(tmp_path):
    out, summary, contracts = df.simulate_with(tmp_path, [CAR, DRIVER], persons=2000, days=1,
                                               rates={CAR: {"truncated_last_line": 0.0}})
    for cid in (CAR, DRIVER):
        days = summary["feeds"][cid]["days"]
        assert days[1]["records"] == days[0]["records"] > 0
        day0, _ = df.delivery(out, summary, contracts[cid], 0)
        day1, _ = df.delivery(out, summary, contracts[cid], 1)
        pk = contracts[cid].primary_key[0]
        assert set(day0[pk]) == set(day1[pk])
