"""Every contract's suite (drafts included) builds and evaluates in GX: junk fails each value rule, an empty value
fails only ``required``, and dataset-level rules read their helper column."""

import os
from pathlib import Path

import pandas as pd
import pytest

from expectations import runner
from expectations.suites import AS_OF_COLUMN, DATASET_RULES, helper_column
from ingest.contracts import load_contracts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    return runner._context()


@pytest.mark.parametrize("contract", load_contracts(ROOT / "contracts", include_inactive=True), ids=lambda c: c.id)
def test_suite_evaluates(context, contract):
    ids = ["junk", "empty", "other"]
    df = pd.DataFrame({"record_id": ids, AS_OF_COLUMN: pd.to_datetime(["2026-11-20"] * 3)})
    for r in contract.rules:
        if r.rule in DATASET_RULES:
            df[helper_column(r)] = [True, False, True]
        elif r.column not in df:
            df[r.column] = pd.Series(["x", None, "x"], dtype="string")
    failed = runner._validate_frame(context, contract, df.set_index("record_id"))
    for r in contract.rules:
        got = set(failed[r.rule_id])
        if r.rule in DATASET_RULES:
            assert got == {"empty"}, r.rule_id
        elif r.rule == "required":
            assert got == {"empty"}, r.rule_id
        else:
            assert got == {"junk", "other"}, r.rule_id
