"""市场监管 企业 / 个体工商户 (JSON): the world's organisations, credit codes valid exactly where no defect was put."""

from __future__ import annotations

import pandas as pd
import pytest
from stdnum.cn import uscc as stdnum_uscc

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, SEED
from tests.simulator.world_feeds import assert_truth_matches

RATES = {"shichang.qiye": {"bad_uscc": 0.1, "bad_division": 0.05, "bad_date": 0.05, "missing_required": 0.05,
                           "wrong_code": 0.05, "bad_check_digit": 0.05, "duplicate": 0.05},
         "shichang.getihu": {"bad_uscc": 0.1, "bad_check_digit": 0.05, "legacy_15_digit": 0.05,
                             "missing_required": 0.05, "wrong_code": 0.05, "bad_phone": 0.05, "bad_division": 0.05,
                             "duplicate": 0.05}}
CATEGORY = {"shichang.qiye": "enterprise", "shichang.getihu": "individual_business"}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("shichang")
    return out, simulate(out, persons=3000, seed=SEED, as_of=AS_OF, rates=RATES)


@pytest.mark.parametrize("cid", sorted(CATEGORY))
def test_register_lists_the_worlds_orgs(city, contracts, cid):
    out, _ = city
    assert_truth_matches(out, contracts[cid])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = records[records.contract_id == cid]
    assert set(mine.entity_key) == set(orgs[orgs.category == CATEGORY[cid]].uscc)


@pytest.mark.parametrize("cid", sorted(CATEGORY))
def test_credit_codes_valid_exactly_where_no_defect_was_injected(damaged, contracts, cid):
    """Judged by python-stdnum, not only by the project's own rule."""
    out, _ = damaged
    frame = assert_truth_matches(out, contracts[cid])
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = records[records.contract_id == cid].set_index("row_number")
    rows = frame.index.get_level_values(1)
    hit = mine["defects"].map(lambda d: "bad_uscc" in d).reindex(rows).to_numpy()
    valid = [stdnum_uscc.is_valid(v) for v in frame["uscc"]]
    assert [not h for h in hit] == valid
    assert hit.sum() > 0 and 0.4 < mine.is_valid.mean() < 1
