"""The API store sink: sorted like the server serves it, with memory bounded by spilled sorted runs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from simulator.defects import Record
from simulator.feeds.api_store import ApiStoreSink
from simulator.truth import TruthWriter

CID = "shuju.hotline"


def _records(contract, n: int, seed: int = 3) -> list[tuple[int, Record]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        values = {c.name: f"{c.name}-{rng.randrange(50):02d}" for c in contract.columns}
        values[contract.primary_key[0]] = f"K{rng.randrange(40):03d}"  # repeated keys: versions and ties
        out.append((rng.choice((0, 0, 1, 2)), Record(values, f"e{i}", None)))
    return out


def _store(tmp: Path, contract, recs, run_rows: int) -> tuple[bytes, dict, ApiStoreSink]:
    sim = tmp / "sim"
    truth = TruthWriter(sim / "truth")
    sink = ApiStoreSink(contract, sim, truth, run_rows=run_rows)
    for day, rec in recs:
        sink.day = day
        sink.write(rec)
    summary = sink.close()
    truth.close()
    return sink.path.read_bytes(), summary, sink


def test_spilled_runs_give_the_bytes_of_one_sort(tmp_path, contracts):
    c = contracts[CID]
    recs = _records(c, 500)
    one, s1, _ = _store(tmp_path / "a", c, recs, run_rows=10**9)
    spilled, s2, sink = _store(tmp_path / "b", c, recs, run_rows=7)
    assert one == spilled and s1 == s2 and s1["records"] == 500
    assert not list(sink.path.parent.glob(".*.tmp"))  # every run removed after the merge


def test_rows_come_out_by_day_watermark_key(tmp_path, contracts):
    import json

    c = contracts[CID]
    data, _, sink = _store(tmp_path, c, _records(c, 200), run_rows=9)
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    keys = [(r.get("_day", 0), r[sink.watermark_field] or "", r[sink.key_field] or "") for r in rows]
    assert keys == sorted(keys) and len(rows) == 200


def test_buffer_never_exceeds_run_rows(tmp_path, contracts, monkeypatch):
    c = contracts[CID]
    sim = tmp_path / "sim"
    sink = ApiStoreSink(c, sim, TruthWriter(sim / "truth"), run_rows=10)
    peak = 0
    for _, rec in _records(c, 95):
        sink.write(rec)
        peak = max(peak, len(sink._buffer))
    assert peak < 10 and len(sink._runs) == 9
    sink.abort()
    assert not sink.path.exists() and not list(sink.path.parent.glob(".*.tmp"))


def test_run_rows_must_be_positive(tmp_path, contracts):
    with pytest.raises(ValueError, match="run_rows"):
        ApiStoreSink(contracts[CID], tmp_path, TruthWriter(tmp_path / "t"), run_rows=0)
