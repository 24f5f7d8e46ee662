"""退役军人事务局 退役军人: an xlsx with a title row over a two-row merged header, read by the pipeline's
reader; veterans are registered residents, nearly all men, discharged at 18–40; truth agrees with the rules."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric

from ingest.contracts import load_contracts
from simulator.city import simulate
from simulator.feeds import tuiyi
from tests.simulator import draft_feeds as df
from tests.simulator.conftest import AS_OF

CID = "tuiyi.junren"
DEFAULT = tuiyi.FEEDS[0].defects.rates
HIGH = {k: 0.06 for k in DEFAULT if k != "address_variant"}


def _simulate(out, persons, **kw):
    """A city with the feed switched on in a copy of the contracts (whether or not it is active yet)."""
    cdir = out / "contracts"
    shutil.copytree(df.REPO / "contracts", cdir)
    path = cdir / "tuiyi" / "junren.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nstatus: draft\n", "\nstatus: active\n"),
                    encoding="utf-8")
    summary = simulate(out / "city", persons=persons, seed=df.SEED, as_of=AS_OF, contracts_dir=cdir, **kw)
    return out / "city", summary, {c.id: c for c in load_contracts(cdir)}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = _simulate(tmp_path_factory.mktemp("tuiyi"), 3000)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out, summary, contracts = _simulate(tmp_path_factory.mktemp("tuiyi_bad"), 3000, rates={CID: HIGH})
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_title_then_two_row_merged_header(city):
    out, summary, contracts, records, _ = city
    c = contracts[CID]
    ws = load_workbook(out / "landing" / summary["feeds"][CID]["path"])[c.delivery.sheet]
    assert ws["A1"].value == f"宜春市退役军人信息采集表（{AS_OF:%Y年%m月}）"
    assert [cell.value for cell in ws[2]] == ["档案编号", "个人信息", None, None, None, None, None, "服役信息", None,
                                              None, "是否优抚对象"]
    assert [cell.value for cell in ws[3]] == [None] + [col.source.split("/")[1] for col in c.columns[1:10]] + [None]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:K1", "A2:A3", "B2:G2", "H2:J2", "K2:K3"}
    frame, _ = df.delivery(out, summary, c)  # the pipeline's reader gives back the contract's group/leaf names
    assert len(frame) == len(df.day_truth(records, CID)) == ws.max_row - 3 > 60


def test_truth_agrees_with_the_rules_at_default_rates(city):
    out, summary, contracts, records, keys = city
    c = contracts[CID]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, CID)
    assert df.assert_truth_matches_rules(frame, c, tr, keys) == len(tr)
    assert 0.85 < tr.is_valid.mean() < 0.97  # ≈91%


def test_every_defect_kind_is_applied_and_judged(damaged):
    out, summary, contracts, records, keys = damaged
    c = contracts[CID]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, CID)
    df.assert_truth_matches_rules(frame, c, tr, keys)
    rates = {**DEFAULT, **HIGH}
    assert set(df.defect_counts(tr)) == set(rates)
    df.assert_rates(tr, rates, summary["grids"], skip=("legacy_15_digit",))  # only for those born before 1985
    # a damaged month breaks the date rule of its column only
    month = tr.defects.map(lambda d: "bad_date" in d)
    assert tr[month].broken_rules.map(lambda b: bool({"enlisted_date:date", "discharged_date:date"} & set(b))).all()


def test_id_numbers_valid_exactly_where_no_id_defect(damaged):
    out, summary, contracts, records, _ = damaged
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID).loc[frame.index]
    hit = tr.defects.map(lambda d: bool({"bad_check_digit", "legacy_15_digit"} & set(d))).to_numpy()
    # python-stdnum reads full-width digits as digits (not a full-width Ｘ); the pipeline's rule, half-width
    # only, rejects them all: they are judged by being typed full-width
    wide = tr.defects.map(lambda d: "fullwidth_digits" in d).to_numpy()
    assert wide.any() and (frame.id_number.map(str.isascii).to_numpy() == ~wide).all()
    valid = frame.id_number.map(ric.is_valid).to_numpy()
    assert hit.any() and (valid[~wide] == ~hit[~wide]).all()


def test_veterans_are_registered_men_discharged_at_18_to_40(city):
    out, summary, contracts, records, _ = city
    frame, _ = df.delivery(out, summary, contracts[CID])
    tr = df.day_truth(records, CID).loc[frame.index]
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    who = persons.loc[tr.entity_key]
    assert (who.population_type == "户籍").all() and (who.sex == "男").mean() > 0.9
    # about one resident in 25 (China: 57 million veterans of 1.41 billion)
    assert 0.02 < len(set(tr.entity_key)) / len(persons) < 0.06
    clean = (tr.defects.map(len) == 0).to_numpy()
    rows, who = frame[clean], who[clean]
    assert len(rows) > 50
    assert (rows.id_number.to_numpy() == who.id_number.to_numpy()).all()
    assert (rows.name.to_numpy() == who.name.to_numpy()).all() and (rows.sex.to_numpy() == who.sex.to_numpy()).all()
    birth = pd.to_datetime(who.birth_date).to_numpy()
    enlisted = pd.to_datetime(rows.enlisted_date, format="%Y-%m").to_numpy()
    discharged = pd.to_datetime(rows.discharged_date, format="%Y-%m").to_numpy()
    year = pd.Timedelta(days=365.25)
    assert ((enlisted - birth) / year).min() >= 16.9 and ((enlisted - birth) / year).max() < 23
    assert ((discharged - birth) / year).min() >= 18 and ((discharged - birth) / year).max() < 41
    # two years at least, but for the winter call-up of 2011, sent home in September 2013 when the call-up moved
    assert ((discharged - enlisted) / year).min() >= 1.75 and (discharged < pd.Timestamp(AS_OF)).all()
    assert set(rows.discharge_type) <= {"退伍", "复员", "转业", "逐月领取退役金"} and "退伍" in set(rows.discharge_type)


def test_a_delta_day_is_a_full_export_with_new_addresses(tmp_path):
    out, summary, contracts = _simulate(tmp_path, 2000, days=1, move_rate=0.05)
    c = contracts[CID]
    day0, _ = df.delivery(out, summary, c, 0)
    day1, _ = df.delivery(out, summary, c, 1)
    assert summary["feeds"][CID]["days"][1]["path"].endswith(f"{AS_OF + dt.timedelta(days=1):%Y%m%d}.xlsx")
    assert sorted(day0.veteran_id) == sorted(day1.veteran_id)  # full mode: the whole register again
    tr1 = df.day_truth(df.truth(out), CID, 1).loc[day1.index]
    moves = pd.read_parquet(out / "sim" / "truth" / "changes.parquet")
    moved = (tr1.entity_key.isin(set(moves.entity_key)) & (tr1.defects.map(len) == 0)).to_numpy()
    assert moved.sum() > 0
    before = day0.drop_duplicates("veteran_id").set_index("veteran_id").loc[day1.veteran_id[moved], "address"]
    assert (before.to_numpy() != day1.address[moved].to_numpy()).all()
