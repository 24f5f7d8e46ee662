"""Ground truth beside the feeds (``<out>/sim/truth/``), written in batches as the city streams out.

The pipeline never reads it; tests and the quality team compare the pipeline's verdicts with it.
- ``persons.parquet``: one row per real person.
- ``houses.parquet``: one row per room, with its address parts and standard address key.
- ``records.parquet``: one row per delivered record: the defects injected and the rules they break;
  ``sheet`` (xls/xlsx sheet when a register spans several) and ``day`` (0 = the full load, d = delta day d).
- ``changes.parquet``: one row per change of the world applied by a daily delta (moves, re-registrations).
- the world's tables (``simulator.world.rows``): divisions, natural_villages, grids, grid_workers, orgs,
  students, cameras, events (the year before as_of), ``indicators.parquet`` (the true values of the
  governance indicators), and per simulated day camera_status and event_updates (delta days).
- ``config.json``: seed, persons, as_of and the defect rates used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from simulator.atomic import atomic_path, write_text_atomic

PERSONS_SCHEMA = pa.schema([
    ("person_key", pa.string()), ("id_number", pa.string()), ("name", pa.string()), ("sex", pa.string()),
    ("birth_date", pa.date32()), ("phone", pa.string()), ("population_type", pa.string()),
    ("household_id", pa.string()), ("relation_to_head", pa.string()), ("house_id", pa.string()),
    ("division_code", pa.string()), ("grid_code", pa.string()),
])
HOUSES_SCHEMA = pa.schema([
    ("house_id", pa.string()), ("division_code", pa.string()), ("district_name", pa.string()),
    ("street", pa.string()), ("door_number", pa.string()), ("compound", pa.string()), ("building", pa.string()),
    ("unit", pa.string()), ("room", pa.string()), ("address", pa.string()), ("address_key", pa.string()),
    ("grid_code", pa.string()), ("owner_person_key", pa.string()), ("is_rented", pa.bool_()),
    ("is_vacant", pa.bool_()),
])
RECORDS_SCHEMA = pa.schema([
    ("contract_id", pa.string()), ("source", pa.string()), ("row_number", pa.int64()),
    ("record_key", pa.string()), ("entity_key", pa.string()), ("defects", pa.list_(pa.string())),
    ("broken_rules", pa.list_(pa.string())), ("is_valid", pa.bool_()),
    ("sheet", pa.string()), ("day", pa.int32()),
])
CHANGES_SCHEMA = pa.schema([
    ("day", pa.int32()), ("date", pa.date32()), ("changed_at", pa.string()), ("kind", pa.string()),
    ("entity_key", pa.string()), ("from_house_id", pa.string()), ("to_house_id", pa.string()),
    ("detail", pa.string()),
])


class ParquetSink:
    """Appends rows in batches to one Parquet file, renamed into place on close."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int = 10_000) -> None:
        self.path = path
        self.schema = schema
        self.batch_rows = batch_rows
        self.rows = 0
        self._buffer: list[dict[str, Any]] = []
        self._closed = False
        self._tmp_ctx = atomic_path(path)
        self._tmp = self._tmp_ctx.__enter__()
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")

    def add(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
            self.rows += len(self._buffer)
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self._closed = True
        self._tmp_ctx.__exit__(None, None, None)

    def abort(self) -> None:
        if not self._closed:
            self._closed = True
            self._writer.close()
            self._tmp_ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)


class TruthWriter:
    def __init__(self, truth_dir: Path) -> None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        self.dir = truth_dir
        self.persons = ParquetSink(truth_dir / "persons.parquet", PERSONS_SCHEMA)
        self.houses = ParquetSink(truth_dir / "houses.parquet", HOUSES_SCHEMA)
        self.records = ParquetSink(truth_dir / "records.parquet", RECORDS_SCHEMA)
        self.changes = ParquetSink(truth_dir / "changes.parquet", CHANGES_SCHEMA)
        self.tables: dict[str, ParquetSink] = {}  # the world's tables, opened as they are first written

    def table(self, name: str, schema: pa.Schema) -> ParquetSink:
        if name not in self.tables:
            self.tables[name] = ParquetSink(self.dir / f"{name}.parquet", schema)
        return self.tables[name]

    def add_rows(self, name: str, schema: pa.Schema, rows) -> int:
        sink, names, n = self.table(name, schema), schema.names, 0
        for row in rows:
            sink.add({k: row.get(k) for k in names})
            n += 1
        return n

    def close(self) -> None:
        for sink in (self.persons, self.houses, self.records, self.changes, *self.tables.values()):
            sink.close()

    def abort(self) -> None:
        for sink in (self.persons, self.houses, self.records, self.changes, *self.tables.values()):
            sink.abort()

    def write_config(self, config: dict[str, Any]) -> None:
        write_text_atomic(self.dir / "config.json", json.dumps(config, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
