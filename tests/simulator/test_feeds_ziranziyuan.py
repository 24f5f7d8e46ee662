"""自然资源 不动产登记: GB18030 CSV, 28-character 不动产单元号 valid where no defect was put, truth agreeing with
the rules, locations resolving to the 住建 register."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.defects import DEFAULTS
from tests.simulator import draft_feeds as df
from tests.simulator.test_truth_agrees_with_rules import rules

FEEDS = ["ziranziyuan.budongchan"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("ziranziyuan"), FEEDS)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_gb18030_csv_with_the_contract_header(city):
    out, summary, contracts, records, _ = city
    c = contracts["ziranziyuan.budongchan"]
    raw = (out / "landing" / summary["feeds"][c.id]["path"]).read_bytes()
    assert raw.decode("gb18030").split("\r\n", 1)[0] == c.delivery.delimiter.join(col.source for col in c.columns)
    assert len(df.day_truth(records, c.id)) == summary["feeds"][c.id]["records"] > 100


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["ziranziyuan.budongchan"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    assert df.assert_truth_matches_rules(frame, c, tr, keys) > 100
    assert {"bad_unit_id", "bad_check_digit", "unresolvable_address"} <= set(df.defect_counts(tr))


def test_unit_ids_valid_exactly_where_no_unit_defect(city):
    out, summary, contracts, records, _ = city
    frame, _ = df.delivery(out, summary, contracts["ziranziyuan.budongchan"])
    tr = df.day_truth(records, "ziranziyuan.budongchan")
    holds = rules.realestate_unit_id(frame.unit_id)
    damaged = tr.loc[frame.index].defects.map(lambda d: "bad_unit_id" in d)
    assert (holds == ~damaged).all()
    assert frame.unit_id.str.len().eq(28).sum() > 0.95 * len(frame)


def test_rates_and_validity_at_defaults(city):
    out, summary, contracts, records, _ = city
    tr = df.day_truth(records, "ziranziyuan.budongchan")
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet")
    grids = houses.grid_code.nunique()
    df.assert_rates(tr, DEFAULTS["ziranziyuan.budongchan"].rates, grids, skip=("address_variant",))
    assert 0.86 <= tr.is_valid.mean() <= 0.96
