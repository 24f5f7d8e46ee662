"""Across every active feed: identifiers are valid exactly where the truth injected no defect into them,
judged by python-stdnum (GB 11643 ID numbers, GB 32100 credit codes) and by the GB/T 28181 layout, not by
the project's own validity code. Each delivery is read back with the pipeline's reader (files), from the
API store the department's server serves, or from the front-end database table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from stdnum.cn import ric, uscc

from ingest.load import read_file
from simulator.geography import DISTRICTS

CHECKED = ("gb11643_id", "gb32100_uscc", "gbt28181_device_id")
_YICHUN = {d.code for d in DISTRICTS} | {"360900"}


def _stdnum_valid(rule: str, value: str) -> bool:
    # stdnum reads full-width digits as digits (Python's int does); the standards' character sets are
    # half-width, and a full-width number as sent is a defect here, so ASCII is required first.
    if rule == "gb11643_id":
        return value.isascii() and len(value) == 18 and ric.is_valid(value)
    if rule == "gb32100_uscc":
        return value.isascii() and len(value) == 18 and uscc.is_valid(value)
    # GB/T 28181: 20 digits, a Yichun centre code, a known device type (no stdnum module exists for it)
    return (len(value) == 20 and value.isascii() and value.isdigit() and value[:6] in _YICHUN
            and value[10:13] in {"111", "112", "113", "114", "115", "116", "117", "118", "121", "131", "132",
                                 "133", "134", "135", "136", "137", "138", "139", "200", "215", "216"})


def _many_sheets(contract) -> bool:
    return contract.delivery.sheet == "*"


def _delivered(out: Path, summary: dict, contract) -> pd.DataFrame:
    """The full load as (values by target name) with a join key matching the truth's (source, sheet, row)
    for files or record_key for API/database feeds."""
    names = {c.source: c.name for c in contract.columns}
    kind = contract.delivery.kind
    if kind == "file":
        rel = summary["feeds"][contract.id]["days"][0]["path"]
        batch = read_file(contract, (out / "landing" / rel).read_bytes(), rel)
        rows = [{**{names[k]: v for k, v in r.values.items() if k in names},
                 "_join": f"{rel}|{(r.part or '') if _many_sheets(contract) else ''}|{r.row_number}"}
                for r in batch.rows]
    elif kind == "api":
        store = out / "sim" / summary["feeds"][contract.id]["path"]
        keys = [contract.column(k).source for k in contract.primary_key]
        rows = []
        for line in store.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("_day", 0) == 0:
                rows.append({**{names[k]: v for k, v in r.items() if k in names},
                             "_join": "|".join(r[k] or "" for k in keys)})
    else:
        url = f"sqlite:///{out / 'sim' / 'frontdb' / (contract.dept + '.sqlite')}"
        with sa.create_engine(url).connect() as con:
            frame = pd.read_sql_table(contract.delivery.table, con)
        frame = frame.rename(columns=names).astype("string")
        frame["_join"] = frame[contract.primary_key[0]].fillna("")
        return frame
    return pd.DataFrame(rows, columns=[*names.values(), "_join"], dtype="string")


def _truth(records: pd.DataFrame, contract) -> pd.DataFrame:
    t = records[(records.contract_id == contract.id) & (records.day == 0)].copy()
    if contract.delivery.kind == "file":
        sheet = t.sheet.fillna("") if _many_sheets(contract) else ""
        t["_join"] = t.source + "|" + sheet + "|" + t.row_number.astype("Int64").astype(str)
    else:
        t["_join"] = t.record_key.fillna("")
    return t.drop_duplicates("_join", keep=False)  # duplicates of a key cannot be told apart: left out


def _cases(contracts) -> list[tuple[str, str, str]]:
    return [(cid, r.column, r.rule) for cid, c in sorted(contracts.items()) for r in c.rules if r.rule in CHECKED]


def test_every_identifier_rule_is_covered(contracts):
    rules = {rule for _, _, rule in _cases(contracts)}
    assert rules == set(CHECKED), rules


def test_identifiers_valid_exactly_where_no_defect(city, records, contracts):
    out, summary = city
    problems, checked = [], 0
    for cid, column, rule in _cases(contracts):
        c = contracts[cid]
        if cid not in summary["feeds"]:
            problems.append((cid, "not delivered"))
            continue
        got = _delivered(out, summary, c).drop_duplicates("_join", keep=False).set_index("_join")
        truth = _truth(records, c).set_index("_join")
        both = truth.index.intersection(got.index)
        if len(both) < 0.9 * len(truth):
            problems.append((cid, f"only {len(both)} of {len(truth)} truth records found in the delivery"))
        for key in both:
            value = got.at[key, column]
            if pd.isna(value) or value == "":
                continue  # empty: the `required` rule's business, not the identifier's
            broken = f"{column}:{rule}" in set(truth.at[key, "broken_rules"])
            if _stdnum_valid(rule, value) == broken:
                problems.append((cid, column, value, list(truth.at[key, "defects"])))
            checked += 1
    assert checked > 1000
    assert not problems, problems[:10]
