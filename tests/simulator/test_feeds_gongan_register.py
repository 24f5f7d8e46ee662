"""公安 出租房屋, 吸毒人员 and 户籍变动: rendered as the contracts say, read by the pipeline's reader, and
with a ground truth that agrees with the validity rules."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from simulator.defects import DEFAULTS
from tests.simulator import draft_feeds as df

FEEDS = ["gongan.chuzu", "gongan.xidu", "gongan.hukou_biandong"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("gongan"), FEEDS, days=1)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """Rare registers (吸毒人员, 户籍变动) hold a handful of rows in a small city: raise their rates to see
    every kind applied and judged."""
    rates = {cid: {k: 0.3 for k in DEFAULTS[cid].rates if k not in ("address_variant", "duplicate")}
             for cid in ("gongan.xidu", "gongan.hukou_biandong")}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("gongan_bad"), FEEDS, persons=4000,
                                               rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.mark.parametrize("cid", FEEDS)
def test_gbk_csv_with_the_contract_header(city, cid):
    out, summary, contracts, records, _ = city
    path = out / "landing" / summary["feeds"][cid]["days"][0]["path"]
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gbk").split("\r\n", 1)[0]
    assert header == ",".join(c.source for c in contracts[cid].columns)
    assert len(df.day_truth(records, cid)) == summary["feeds"][cid]["records"] > 0


@pytest.mark.parametrize("cid", FEEDS)
def test_truth_agrees_with_the_rules(city, cid):
    out, summary, contracts, records, keys = city
    frame, _ = df.delivery(out, summary, contracts[cid])
    assert df.assert_truth_matches_rules(frame, contracts[cid], df.day_truth(records, cid), keys) > 0


@pytest.mark.parametrize("cid", ["gongan.xidu", "gongan.hukou_biandong"])
def test_every_defect_kind_is_judged_as_the_truth_says(damaged, cid):
    out, summary, contracts, records, keys = damaged
    frame, _ = df.delivery(out, summary, contracts[cid])
    tr = df.day_truth(records, cid)
    df.assert_truth_matches_rules(frame, contracts[cid], tr, keys)
    kinds = set(df.defect_counts(tr))
    assert len(kinds) >= 3 and tr.defects.map(len).gt(0).mean() > 0.3, kinds


def test_chuzu_is_one_row_per_rented_room_of_its_owner(city):
    out, summary, contracts, records, _ = city
    import pandas as pd

    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet").set_index("house_id")
    frame, _ = df.delivery(out, summary, contracts["gongan.chuzu"])
    tr = df.day_truth(records, "gongan.chuzu")
    assert set(tr.entity_key) <= set(houses.index)
    assert not houses.loc[list(tr.entity_key)].is_vacant.any()
    clean = tr.index[tr.defects.map(len) == 0]
    for row in clean:
        h = houses.loc[tr.at[row, "entity_key"]]
        assert frame.at[row, "house_address"] == h.address
        assert ric.is_valid(frame.at[row, "landlord_id_number"])
        start = dt.date.fromisoformat(frame.at[row, "lease_start"])
        assert start < dt.date.fromisoformat(frame.at[row, "lease_end"])


def test_chuzu_validity_and_rates_at_defaults(city):
    out, summary, contracts, records, _ = city
    tr = df.day_truth(records, "gongan.chuzu")
    grids = tr.entity_key.str.slice(1, 7).nunique() + len(set(tr.index)) // 40
    df.assert_rates(tr, DEFAULTS["gongan.chuzu"].rates, grids, skip=("address_variant",))
    assert 0.86 <= tr.is_valid.mean() <= 0.97


def test_xidu_persons_are_adults_and_stable_across_days(city):
    out, summary, contracts, records, _ = city
    import pandas as pd

    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    tr = df.day_truth(records, "gongan.xidu")
    assert len(tr) < 0.01 * len(persons)
    for key in tr.entity_key:
        born = pd.Timestamp(persons.at[key, "birth_date"]).date()
        assert 18 <= (df.as_of_date() - born).days / 365.25 <= 66


def test_hukou_biandong_delta_day_sends_only_that_days_moves(city):
    out, summary, contracts, records, keys = city
    c = contracts["gongan.hukou_biandong"]
    days = summary["feeds"][c.id]["days"]
    assert len(days) == 2 and days[0]["path"] != days[1]["path"]
    frame, _ = df.delivery(out, summary, c, day=1)
    tr = df.day_truth(records, c.id, day=1)
    assert sorted(tr.index) == sorted(frame.index) and len(frame) > 0
    day1 = df.as_of_date().strftime("%Y%m%d")  # moves happen during the day before their delivery
    assert set(frame.change_type) <= {"迁入"}
    assert all(v == day1 for v in frame.change_date[tr.loc[frame.index].defects.map(lambda d: "bad_date" not in d)])
    day0, _ = df.delivery(out, summary, c)
    assert not set(frame.transaction_id) & set(day0.transaction_id)
