"""Checks shared by the world-based feeds' tests: read a delivery with the pipeline's own reader and judge
every record with the validity rules (expectations.rules); the truth must name the same rows and rules."""

from __future__ import annotations

import fnmatch
from collections import Counter
from pathlib import Path

import pandas as pd

from expectations import rules
from ingest.load import read_file
from tests.simulator.conftest import AS_OF

ONE_COLUMN = {"required", "gb2260_division", "mobile_phone", "stats_division_code", "gbt28181_device_id",
              "gb32100_uscc"}


def delivered(out: Path, contract) -> pd.DataFrame:
    """The delivered file(s) of the full load as read by ``ingest.load.read_file``, target column names,
    indexed by (part, row number)."""
    landing = out / "landing"
    paths = sorted(p for p in landing.rglob("*") if p.is_file()
                   and fnmatch.fnmatch(p.relative_to(landing).as_posix(), contract.delivery.path))
    names = {c.source: c.name for c in contract.columns}
    rows = []
    for path in paths[:1]:
        batch = read_file(contract, path.read_bytes(), path.relative_to(landing).as_posix())
        assert not batch.bad_rows, batch.bad_rows[:3]
        for r in batch.rows:
            rows.append({"_part": r.part or "", "_row": r.row_number,
                         **{names[k]: v for k, v in r.values.items() if k in names}})
    frame = pd.DataFrame(rows).fillna("")
    for c in contract.columns:
        if c.name not in frame:
            frame[c.name] = ""
    return frame.set_index(["_part", "_row"])


def broken_rules(frame: pd.DataFrame, contract) -> pd.Series:
    broken = pd.Series([set() for _ in range(len(frame))], index=frame.index)
    flat = frame.reset_index(drop=True).astype("string").replace("", pd.NA)
    for rule in contract.rules:
        col = flat[rule.column]
        if rule.rule == "unique":
            holds = rules.unique(flat.assign(source_file="f", source_row_number=flat.index), list(contract.primary_key))
        elif rule.rule in ONE_COLUMN:
            holds = getattr(rules, rule.rule)(col)
        elif rule.rule == "gb11643_id":
            holds = rules.gb11643_id(col, AS_OF)
        elif rule.rule == "date":
            holds = rules.date(col, rule.args["formats"], AS_OF)
        elif rule.rule == "fresh":
            holds = rules.fresh(col, rule.args["formats"], contract.reverify_days, AS_OF)
        elif rule.rule == "in_set":
            holds = rules.in_set(col, rule.args["values"])
        else:
            raise AssertionError(f"rule {rule.rule} not covered")
        for i in holds.index[~holds.fillna(True).astype(bool)]:
            broken.iloc[i].add(rule.rule_id)
    return broken


def assert_truth_matches(out: Path, contract, day: int = 0) -> pd.DataFrame:
    """Every delivered record has its truth row (same row number), and the rules it breaks are the truth's."""
    frame = delivered(out, contract)
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    truth = records[(records.contract_id == contract.id) & (records.day == day)]
    truth = truth.assign(_part=truth["sheet"].fillna("")).set_index(["_part", "row_number"])
    assert sorted(frame.index) == sorted(truth.index)
    computed = broken_rules(frame, contract)
    mismatches = [(i, truth.at[i, "defects"].tolist(), sorted(truth.at[i, "broken_rules"]), sorted(computed[i]))
                  for i in frame.index if set(truth.at[i, "broken_rules"]) != computed[i]]
    assert not mismatches, mismatches[:10]
    return frame


def assert_api_truth_matches(out: Path, contract, lake: Path, token: str = "t0ken", judge: bool = True) -> pd.DataFrame:
    """Pull the feed through ``ingest.load.ingest_api`` from the simulator's API server; every served record
    lands, and the rules each breaks (keyed by the primary key) are the truth's."""
    import pyarrow.dataset as ds

    from ingest.load import ingest_api
    from simulator.api_server import DepartmentApiServer, Faults

    with DepartmentApiServer(out / "sim", token=token, faults=Faults.off()) as srv:
        results = ingest_api(contract, lake, srv.base_url, token, backoff_s=0.01)
    records = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    truth = records[records.contract_id == contract.id]
    assert sum(r.rows_read for r in results) == len(truth)
    assert sum(r.rows_quarantined for r in results) == 0
    table = ds.dataset(lake / f"raw/{contract.dept}/{contract.feed}", format="parquet",
                       partitioning="hive").to_table().to_pandas()
    names = {c.source: c.name for c in contract.columns}
    frame = table.rename(columns=names)[[c.name for c in contract.columns]].fillna("").astype(str)
    # The truth's record key of an API record holds every key column, '|'-joined.
    keys = frame[list(contract.primary_key)].astype(str).agg("|".join, axis=1)
    frame.index = pd.MultiIndex.from_arrays([[""] * len(frame), range(len(frame))])
    if not judge:  # delta days: the rules judge as of the full load's date
        assert Counter(keys) == Counter(truth["record_key"])
        return frame
    computed = broken_rules(frame, contract)
    # API records carry no row number: compare (key, broken rules) as multisets
    served = Counter((k, frozenset(b)) for k, b in zip(keys, computed))
    expected = Counter((k, frozenset(b)) for k, b in zip(truth["record_key"], truth["broken_rules"]))
    assert served == expected, (served - expected, expected - served)
    return frame
