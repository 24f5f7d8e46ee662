"""The ground truth agrees with the validity rules (docs/architecture.md §4), judged from the delivered files.

Each rule of each contract is evaluated on what the departments sent, with the validity runner's own
predicates (expectations.rules); the broken rules per record must be exactly the truth's ``broken_rules``.
``address_resolvable`` needs the warehouse's address parser: it is re-stated here from the address-key
macro (dbt_project/macros/address.sql) so a change of either side shows up as a failure.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from simulator.geography import DISTRICTS
from tests.simulator.conftest import AS_OF
from tests.simulator.test_feeds import _frame

rules = pytest.importorskip("expectations.rules")

_HALF = str.maketrans("０１２３４５６７８９", "0123456789")
_PATTERN = re.compile(r"^(?:江西省?)?(?:宜春市)?((?:[^0-9]{1,6}?[区县市])?)([^0-9]+?)([0-9]+)号(?:.*?)([0-9]+)"
                      r"(?:栋|幢|号楼)(?:([0-9]+)单元)?([0-9]+)(?:室|号|房)?$")
_CODES = {d.name: d.code for d in DISTRICTS}


def _number(text: str, suffix: str) -> str | None:
    m = re.fullmatch(rf"([0-9]+)(?:{suffix})?", re.sub(r"\s+", "", text.translate(_HALF)))
    return m.group(1) if m else None


def register_keys(fangwu: pd.DataFrame) -> set[str]:
    keys = set()
    for r in fangwu.itertuples():
        parts = [r.division_code if r.division_code in _CODES.values() else None, r.street or None,
                 _number(r.door_number, "号"), _number(r.building, "栋|幢|号楼"),
                 "" if not r.unit else _number(r.unit, "单元"), _number(r.room, "室|号|房")]
        if all(p is not None for p in parts):
            keys.add("|".join(parts))
    return keys


def address_key(text: str, division: str) -> str | None:
    m = _PATTERN.match(re.sub(r"\s+", "", text.translate(_HALF)))
    if not m:
        return None
    code = _CODES.get(m.group(1)) if m.group(1) else (division if division in _CODES.values() else None)
    if code is None:
        return None
    return "|".join([code, m.group(2), m.group(3), m.group(4), m.group(5) or "", m.group(6)])


def _broken(frame: pd.DataFrame, contract, keys: set[str] | None) -> pd.Series:
    """Per row: the ids of the rules of severity error and warning it breaks."""
    broken = pd.Series([set() for _ in range(len(frame))], index=frame.index)
    frame = frame.assign(source_file="f", source_row_number=frame.index)
    for rule in contract.rules:
        col = frame[rule.column]
        if rule.rule == "required":
            holds = rules.required(col)
        elif rule.rule == "unique":
            holds = rules.unique(frame, list(contract.primary_key))
        elif rule.rule == "gb11643_id":
            holds = rules.gb11643_id(col, AS_OF)
        elif rule.rule == "gb2260_division":
            holds = rules.gb2260_division(col)
        elif rule.rule == "mobile_phone":
            holds = rules.mobile_phone(col)
        elif rule.rule == "date":
            holds = rules.date(col, rule.args["formats"], AS_OF)
        elif rule.rule == "fresh":
            holds = rules.fresh(col, rule.args["formats"], contract.reverify_days, AS_OF)
        elif rule.rule == "in_set":
            holds = rules.in_set(col, rule.args["values"])
        elif rule.rule == "address_resolvable":
            resolved = pd.Series([address_key(a or "", d or "") in keys for a, d in zip(col, frame.division_code)],
                                 index=frame.index)
            holds = rules.address_resolvable(col, resolved)
        else:
            raise AssertionError(f"rule {rule.rule} not covered by this test")
        for row in holds.index[~holds.astype(bool)]:
            broken[row].add(rule.rule_id)
    return broken


@pytest.mark.parametrize("cid", ["gongan.hukou", "gongan.liudong", "zhujian.fangwu"])
def test_broken_rules_match_the_rules_applied_to_the_files(city, contracts, records, cid):
    out, _ = city
    register = _frame(out, contracts["zhujian.fangwu"]).fillna("")
    keys = register_keys(register)
    frame = _frame(out, contracts[cid]).fillna("")
    computed = _broken(frame, contracts[cid], keys)
    truth = records[records.contract_id == cid].set_index("row_number")
    severity = {r.rule_id: r.severity for r in contracts[cid].rules}
    mismatches = []
    for row in frame.index:
        expected = set(truth.at[row, "broken_rules"])
        if computed[row] != expected:
            mismatches.append((row, truth.at[row, "defects"].tolist(), sorted(expected), sorted(computed[row])))
        valid = not any(severity[r] == "error" for r in computed[row])
        assert valid == truth.at[row, "is_valid"], row
    assert not mismatches, mismatches[:10]


def test_every_room_key_in_truth_is_the_register_key(city, contracts):
    """The houses' address keys (truth) are what the register's columns give (for rows without defects)."""
    out, _ = city
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet")
    keys = register_keys(_frame(out, contracts["zhujian.fangwu"]).fillna(""))
    lived_in = houses[~houses.is_vacant]
    assert set(lived_in.address_key) <= keys
    for h in houses.head(50).itertuples():
        assert address_key(h.address, "") == h.address_key


def test_address_variants_keep_the_key(city, contracts, records):
    out, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("person_key")
    houses = pd.read_parquet(out / "sim" / "truth" / "houses.parquet").set_index("house_id")
    seen = 0
    for cid in ("gongan.hukou", "gongan.liudong"):
        frame = _frame(out, contracts[cid]).fillna("")
        truth = records[records.contract_id == cid].set_index("row_number")
        for row in truth.index[truth.defects.map(lambda d: "address_variant" in d)]:
            house = houses.loc[persons.at[truth.at[row, "entity_key"], "house_id"]]
            standard = house.address
            assert frame.at[row, "address"] != standard
            assert address_key(frame.at[row, "address"], "") == house.address_key
            seen += 1
    assert seen > 50
