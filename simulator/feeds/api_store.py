"""The backing data of an API feed, written with bounded memory.

The department's server serves an API feed's rows ordered by (day published, watermark, key), so the store
must be sorted, but a 5,000,000-person city's 参保 register has millions of rows: holding them all until
close (as the first version did) grows without bound. Rows are buffered up to ``run_rows``, each full buffer
is sorted and spilled to a temporary JSON-lines run beside the store, and ``close`` merges the runs
(``heapq.merge``) into the store. Memory is one buffer plus one line per run, whatever the city's size;
the bytes are the same as a single in-memory sort (ties keep their arrival order in both).
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ingest.contracts import Contract
from simulator.atomic import atomic_path
from simulator.defects import Record
from simulator.truth import TruthWriter

RUN_ROWS = 100_000


def _line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


class ApiStoreSink:
    """Rows under the department's field names, as JSON lines under ``<sim>/api/<dept>/<feed>.jsonl``.

    ``day`` tags rows published by a daily delta (``_day`` field; absent on day 0) so the server can serve
    the city as of any simulated day."""

    def __init__(self, contract: Contract, sim_dir: Path, truth: TruthWriter, store: Path | None = None,
                 run_rows: int = RUN_ROWS) -> None:
        self.contract = contract
        d = contract.delivery
        if not d.watermark_field:
            raise ValueError(f"{contract.id}: an API feed needs a watermarkField")
        if run_rows < 1:
            raise ValueError("run_rows must be at least 1")
        self.path = store or sim_dir / "api" / contract.dept / f"{contract.feed}.jsonl"
        self.relative = self.path.relative_to(sim_dir).as_posix()
        self.truth = truth
        self.day = 0
        self.records = 0
        self.valid = 0
        self.run_rows = run_rows
        self._buffer: list[tuple[tuple, int, dict]] = []
        self._seq = 0  # arrival order: equal sort keys keep it, as Python's stable sort did
        self._runs: list[Path] = []
        self._severity = {r.rule_id: r.severity for r in contract.rules}
        self._pk = contract.primary_key[0]
        self.key_field = contract.column(self._pk).source
        self._keys = contract.primary_key  # the truth's record key: every key column, '|'-joined
        self.watermark_field = d.watermark_field

    def _sort_key(self, row: dict) -> tuple:
        return (row.get("_day", 0), row[self.watermark_field] or "", row[self.key_field] or "")

    def write(self, rec: Record) -> None:
        row = {c.source: (rec.values.get(c.name) or None) for c in self.contract.columns}
        if self.day:
            row["_day"] = self.day
        self._buffer.append((self._sort_key(row), self._seq, row))
        self._seq += 1
        self.records += 1
        is_valid = not any(self._severity.get(r, "error") == "error" for r in rec.broken)
        self.valid += is_valid
        self.truth.records.add({
            "contract_id": self.contract.id, "source": self.contract.delivery.api_path, "row_number": None,
            "record_key": "|".join(rec.values.get(k) or "" for k in self._keys), "entity_key": rec.entity_key,
            "defects": list(rec.defects), "broken_rules": sorted(rec.broken), "is_valid": is_valid,
            "sheet": None, "day": self.day,
        })
        if len(self._buffer) >= self.run_rows:
            self._spill()

    def _spill(self) -> None:
        self._buffer.sort(key=lambda item: item[:2])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.run", suffix=".tmp", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for key, seq, row in self._buffer:
                fh.write(json.dumps([list(key), seq], separators=(",", ":")) + "\t" + _line(row))
        self._runs.append(Path(name))
        self._buffer = []

    def _read_run(self, path: Path) -> Iterator[tuple[tuple, int, str]]:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                head, text = line.split("\t", 1)
                key, seq = json.loads(head)
                yield tuple(key), seq, text

    def close(self) -> dict:
        self._buffer.sort(key=lambda item: item[:2])
        in_memory = ((key, seq, _line(row)) for key, seq, row in self._buffer)
        merged = heapq.merge(in_memory, *(self._read_run(p) for p in self._runs), key=lambda item: item[:2])
        try:
            with atomic_path(self.path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for _, _, text in merged:
                    fh.write(text)
        finally:
            self._discard_runs()
        return {"path": self.relative, "records": self.records, "valid": self.valid,
                "api_path": self.contract.delivery.api_path}

    def _discard_runs(self) -> None:
        for p in self._runs:
            p.unlink(missing_ok=True)
        self._runs = []
        self._buffer = []

    def abort(self) -> None:
        self._discard_runs()
