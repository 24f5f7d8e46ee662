"""Defect rates and validity ratios measured from the ground truth of a 10,000-person city."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from simulator import defects


@pytest.fixture(scope="module")
def truth(mid_city) -> pd.DataFrame:
    out, _ = mid_city
    return pd.read_parquet(out / "sim" / "truth" / "records.parquet")


def _active_with_rates() -> list[str]:
    from citylake.config import settings
    from ingest.contracts import load_contracts

    active = {c.id for c in load_contracts(settings().contracts_dir)}
    return sorted(set(defects.default_config()) & active)


@pytest.mark.parametrize("cid", _active_with_rates())
def test_measured_rates_near_configured(truth, cid):
    recs = truth[truth.contract_id == cid]
    if recs.empty:  # cremations and emergencies need delta days or a busier world: their modules test those
        pytest.skip(f"{cid}: nothing to send in the full load of a 10,000-person city")
    originals = recs[~recs.defects.map(lambda d: "duplicate" in d)]
    copies = len(recs) - len(originals)
    for kind, rate in defects.default_config()[cid].rates.items():
        if kind == "truncated_last_line":  # a rate per file, not per record: tests/simulator/test_byte_defects.py
            continue
        n = len(originals)
        if kind == "duplicate":
            measured = copies / n
        else:
            measured = originals.defects.map(lambda d: kind in d).mean()
        # 4 binomial standard deviations (+1 record): loose enough never to flake, tight enough to catch a
        # kind that is not applied or applied at a multiple of its rate.
        tolerance = 4 * math.sqrt(rate * (1 - rate) / n) + 1 / n
        assert abs(measured - rate) <= tolerance, (cid, kind, rate, measured, tolerance)


def test_validity_ratios_at_the_defaults(truth):
    ratio = truth.groupby("contract_id").is_valid.mean()
    assert 0.91 <= ratio["gongan.hukou"] <= 0.95
    assert 0.80 <= ratio["gongan.liudong"] < 0.88  # below the 90% target by design
    assert 0.93 <= ratio["zhujian.fangwu"] <= 0.97
    assert ratio["shuju.hotline"] == 1.0  # its rules are warnings: bad phones do not make a record invalid
    hotline = truth[truth.contract_id == "shuju.hotline"]
    assert hotline.broken_rules.map(len).sum() > 0


def test_every_defect_breaks_its_rule_and_only_defects_break_rules(truth, contracts):
    severity = {(c.id, r.rule_id): r.severity for c in contracts.values() for r in c.rules}
    for rec in truth.itertuples():
        expected = {r for kind in rec.defects for r in [defects.KINDS[kind].rule] if r}
        got = {r.split(":", 1)[1] for r in rec.broken_rules}
        # The writer's kinds break the record itself, not a contract rule: a cut line cannot be parsed; a
        # mojibake line is lost only where the file's encoding cannot carry it back (GBK bytes in UTF-8).
        if "truncated_last_line" in rec.defects:
            expected.add("unparseable")
        if "mojibake" in rec.defects:
            got.discard("encoding")
        assert got == expected, rec
        # A record is invalid when it breaks a rule of severity error or cannot be read at all; warnings (a
        # 低保 member's phone) do not count.
        assert rec.is_valid == (not any(r.startswith("_record:") or severity[rec.contract_id, r] == "error"
                                        for r in rec.broken_rules)), rec


def test_config_json_records_the_run(mid_city):
    out, _ = mid_city
    config = json.loads((out / "sim" / "truth" / "config.json").read_text(encoding="utf-8"))
    assert config["seed"] == 7 and config["persons"] == 10_000 and config["as_of"] == "2026-11-21"
    assert config["rates"]["gongan.liudong"]["stale"] == defects.DEFAULTS["gongan.liudong"].rates["stale"]


def test_rates_can_be_overridden(tmp_path):
    from simulator.city import simulate
    from tests.simulator.conftest import AS_OF

    simulate(tmp_path, persons=600, seed=1, as_of=AS_OF,
             rates={"gongan.hukou": {kind: 0.0 for kind in defects.DEFAULTS["gongan.hukou"].rates}})
    recs = pd.read_parquet(tmp_path / "sim" / "truth" / "records.parquet")
    hukou = recs[recs.contract_id == "gongan.hukou"]
    assert hukou.is_valid.all() and hukou.defects.map(len).sum() == 0
    with pytest.raises(ValueError):
        defects.config_with_rates({"zhujian.fangwu": {"address_variant": 0.1}})


def test_ten_thousand_persons_well_under_thirty_seconds(mid_city):
    _, summary = mid_city
    assert summary["persons"] == 10_000
    assert summary["seconds"] < 30
