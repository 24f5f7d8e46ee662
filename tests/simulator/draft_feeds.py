"""Helpers for the department feed tests: simulate a small city with some feeds switched on, read each
delivery with the pipeline's own reader, and compare the ground truth with the validity rules.

A feed being onboarded is ``status: draft`` (the simulator skips it): the tests copy the contracts and
switch the feeds under test to active, so they test the generator whether or not the feed is live yet.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from ingest.contracts import load_contracts
from ingest.load import read_file
from simulator.city import simulate
from tests.simulator.conftest import AS_OF
from tests.simulator.test_truth_agrees_with_rules import _broken as _core_broken
from tests.simulator.test_truth_agrees_with_rules import register_keys, rules

REPO = Path(__file__).resolve().parents[2]
SEED = 20261121


def simulate_with(out: Path, contract_ids: list[str], *, persons: int = 1000, days: int = 0,
                  rates: dict | None = None, world_config: dict | None = None) -> tuple[Path, dict, dict]:
    """A city whose contracts include ``contract_ids`` as active; returns (out, summary, contracts)."""
    cdir = out / "contracts"
    shutil.copytree(REPO / "contracts", cdir)
    for cid in contract_ids:
        dept, feed = cid.split(".", 1)
        path = cdir / dept / f"{feed}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("\nstatus: draft\n", "\nstatus: active\n"),
                        encoding="utf-8")
    summary = simulate(out / "city", persons=persons, seed=SEED, as_of=AS_OF, days=days, rates=rates,
                       contracts_dir=cdir, world_config=world_config)
    contracts = {c.id: c for c in load_contracts(cdir)}
    assert set(contract_ids) <= set(contracts)
    return out / "city", summary, contracts


# Rules the core feeds do not use, judged by expectations.rules like the others.
_EXTRA = {
    "disability_card_id": lambda frame, rule: rules.disability_card_id(frame[rule.column], AS_OF),
    "realestate_unit_id": lambda frame, rule: rules.realestate_unit_id(frame[rule.column]),
    "vehicle_plate": lambda frame, rule: rules.vehicle_plate(frame[rule.column]),
    "gb32100_uscc": lambda frame, rule: rules.gb32100_uscc(frame[rule.column]),
    "stats_division_code": lambda frame, rule: rules.stats_division_code(frame[rule.column]),
    "gbt28181_device_id": lambda frame, rule: rules.gbt28181_device_id(frame[rule.column]),
}


def _broken(frame: pd.DataFrame, contract, keys: set[str]) -> pd.Series:
    extra = [r for r in contract.rules if r.rule in _EXTRA]
    core = contract if not extra else _Without(contract, extra)
    broken = _core_broken(frame, core, keys)
    for rule in extra:
        holds = _EXTRA[rule.rule](frame, rule)
        for row in holds.index[~holds.astype(bool)]:
            broken[row].add(rule.rule_id)
    return broken


class _Without:
    """The contract with some rules left out (judged separately)."""

    def __init__(self, contract, left_out) -> None:
        self._c = contract
        self.rules = [r for r in contract.rules if r not in left_out]

    def __getattr__(self, name):
        return getattr(self._c, name)


def truth(city: Path) -> pd.DataFrame:
    return pd.read_parquet(city / "sim" / "truth" / "records.parquet")


def delivery(city: Path, summary: dict, contract, day: int = 0) -> tuple[pd.DataFrame, object]:
    """The day's delivered file, read by ``ingest.load.read_file``, as text under the contract's target
    names, indexed by the reader's row numbers; and the batch."""
    rel = summary["feeds"][contract.id]["days"][day]["path"]
    batch = read_file(contract, (city / "landing" / rel).read_bytes(), rel)
    assert not batch.bad_rows, batch.bad_rows[:3]
    names = {c.source: c.name for c in contract.columns}
    assert batch.header == [c.source for c in contract.columns]
    frame = pd.DataFrame([{names[k]: ("" if v is None else v) for k, v in r.values.items()} for r in batch.rows],
                         columns=[c.name for c in contract.columns], dtype="string")
    frame.index = [r.row_number for r in batch.rows]
    return frame.fillna(""), batch


def day_truth(records: pd.DataFrame, cid: str, day: int = 0) -> pd.DataFrame:
    return records[(records.contract_id == cid) & (records.day == day)].set_index("row_number")


def register(city: Path, summary: dict, contracts: dict) -> set[str]:
    frame, _ = delivery(city, summary, contracts["zhujian.fangwu"])
    return register_keys(frame)


def assert_truth_matches_rules(frame: pd.DataFrame, contract, tr: pd.DataFrame, keys: set[str]) -> int:
    """Every delivered row is in truth at its row number, its key is the truth's record key, and the rules
    it breaks (expectations.rules) are exactly the truth's ``broken_rules``. Returns the rows checked."""
    assert sorted(tr.index) == sorted(frame.index)
    pk = contract.primary_key[0]
    assert (tr.loc[frame.index, "record_key"].fillna("") == frame[pk]).all()
    computed = _broken(frame, contract, keys)
    severity = {r.rule_id: r.severity for r in contract.rules}
    mismatches = []
    for row in frame.index:
        expected = set(tr.at[row, "broken_rules"])
        if computed[row] != expected:
            mismatches.append((row, list(tr.at[row, "defects"]), sorted(expected), sorted(computed[row])))
        valid = not any(severity[r] == "error" for r in computed[row])
        assert valid == tr.at[row, "is_valid"], row
    assert not mismatches, mismatches[:10]
    return len(frame)


def defect_counts(tr: pd.DataFrame) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ds in tr.defects:
        for d in ds:
            counts[d] = counts.get(d, 0) + 1
    return counts


def assert_rates(tr: pd.DataFrame, rates: dict[str, float], grids: int, skip: tuple[str, ...] = ()) -> None:
    """Each kind hits rate × n records per grid, rounded at random: within one record per grid."""
    n = int((~tr.defects.map(lambda d: "duplicate" in d)).sum())
    counts = defect_counts(tr)
    for kind, rate in rates.items():
        if kind in skip:
            continue
        if kind == "duplicate":
            assert abs(counts.get(kind, 0) - rate * n) <= 2 + 0.5 * rate * n, (kind, counts.get(kind, 0), rate * n)
        else:
            assert abs(counts.get(kind, 0) - rate * n) <= grids + 1, (kind, counts.get(kind, 0), rate * n)


def as_of_date() -> dt.date:
    return AS_OF
