"""Land a streaming reader's blocks as one load, row group by row group, never holding the file.

Each block becomes a row group of the load's raw file and, for its damaged lines, of its quarantine file,
both written under hidden temporary names in the lake. The spans of every record and quarantined line
are kept (8 bytes a line) for the cover check against the physical count, which runs when the stream
ends; only then is the load moved into its area (raw, or held) and committed by its manifest.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.accounting import Cover, cover_part, span_ids
from ingest.arrow_text import constant, int64s, strings, timestamps
from ingest.contracts import Contract
from ingest.lake import QUARANTINE_SCHEMA, feed_dir, raw_schema
from ingest.lakefs import LakeFS
from ingest.records import Block

_DICTIONARY = ["_source", "_load_id", "_file_sha256", "_loaded_at", "reason"]
_STATISTICS = ["_row_number", "_load_id", "_loaded_at"]


class StreamSink:
    """The raw and quarantine writers of one streamed load, and the spans its accounting needs."""

    def __init__(self, lake: LakeFS, contract: Contract, source: str, sha256: str, load_id: str,
                 loaded_at: dt.datetime, load_date: str):
        self.lake, self.contract, self.source, self.sha256 = lake, contract, source, sha256
        self.load_id, self.loaded_at = load_id, loaded_at
        self._seen: dict[str, None] = {}  # the fields the blocks named, in first-seen order
        self._rel = f"{feed_dir('raw', contract)}/load_date={load_date}/{load_id}"
        self._writers: dict[str, tuple[pq.ParquetWriter, object, str]] = {}
        self._landed: list[np.ndarray] = []
        self._bad: list[np.ndarray] = []
        self._skipped: list[np.ndarray] = []
        self.rows_written = self.rows_quarantined = 0
        self.notes: list[str] = []

    def _write(self, kind: str, table: pa.Table) -> None:
        if kind not in self._writers:
            f, tmp = self.lake.open_temporary(f"{self._rel}.{kind}.parquet")
            # Dictionaries only for the columns that repeat one value (lineage), statistics only where readers
            # filter: a register's columns are mostly unique, and trying both costs a third of the write time.
            self._writers[kind] = (pq.ParquetWriter(f, table.schema, compression="zstd", use_dictionary=_DICTIONARY,
                                                    write_statistics=_STATISTICS), f, tmp)
        self._writers[kind][0].write_table(table)

    @property
    def columns(self) -> list[str]:
        return list(self._seen)

    def add(self, block: Block) -> None:
        self._seen.update(dict.fromkeys(block.columns))
        n = block.num_rows
        if n:
            self._write("raw", self._raw(block))
            self._landed.append(span_ids(block.first, block.last))
            self.rows_written += n
        if block.bad:
            self._write("quarantine", self._quarantine(block))
            self._bad.append(span_ids(np.array([b.span[0] for b in block.bad]),
                                      np.array([b.span[1] for b in block.bad])))
            self.rows_quarantined += len(block.bad)
        if block.skipped:
            self._skipped.append(span_ids(np.array([s.first for s in block.skipped]),
                                          np.array([s.last for s in block.skipped])))
        self.notes += block.notes

    def _raw(self, block: Block) -> pa.Table:
        n = block.num_rows
        rows = int64s(block.first)
        cols = {c.name: block.columns[c.source] if c.source in block.columns else pa.nulls(n, pa.string())
                for c in self.contract.columns}
        data = {
            **cols,
            "_record_id": pc.binary_join_element_wise(constant(f"{self.load_id}:", n), rows.cast(pa.string()),
                                                      constant("", n)),
            "_source": constant(self.source, n),
            "_row_number": rows,
            "_load_id": constant(self.load_id, n),
            "_loaded_at": timestamps(self.loaded_at, n),
            "_file_sha256": constant(self.sha256, n),
            "_extra": self._extra(block, n),
        }
        return pa.table(data, schema=raw_schema(self.contract))

    def _extra(self, block: Block, n: int) -> pa.Array:
        """Values of columns the contract does not know yet, as JSON per row (schema drift: rare, so per row)."""
        known = self.contract.source_names
        new = [k for k in block.columns if k not in known]
        if not new:
            return pa.nulls(n, pa.string())
        values = {k: block.columns[k].to_pylist() for k in new}
        out = []
        for i in range(n):
            extra = {k: v[i] for k, v in values.items() if v[i] is not None}
            out.append(json.dumps(extra, ensure_ascii=False) if extra else None)
        return strings(out)

    def _quarantine(self, block: Block) -> pa.Table:
        q = len(block.bad)
        return pa.table({
            "_source": constant(self.source, q),
            "_row_number": int64s(np.array([b.row_number for b in block.bad], np.int64)),
            "_load_id": constant(self.load_id, q),
            "_loaded_at": timestamps(self.loaded_at, q),
            "_file_sha256": constant(self.sha256, q),
            "raw_text": strings([b.raw_text for b in block.bad]),
            "reason": strings([b.reason for b in block.bad]),
        }, schema=QUARANTINE_SCHEMA)

    def close(self) -> tuple[str | None, str | None]:
        """Finish the files; their temporary paths (raw, quarantine), None where nothing was written."""
        for writer, f, _ in self._writers.values():
            writer.close()
            f.close()
        return tuple(self._writers[k][2] if k in self._writers else None for k in ("raw", "quarantine"))

    def discard(self) -> None:
        for writer, f, tmp in self._writers.values():
            try:
                writer.close()
                f.close()
            finally:
                self.lake.discard_temporary(tmp)
        self._writers.clear()

    def cover(self, unit: str, physical: int) -> Cover:
        def cat(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts) if parts else np.empty(0, np.int64)

        landed, quarantined, skipped = cover_part(self.source, unit, np.arange(1, physical + 1, dtype=np.int64),
                                                  cat(self._landed), cat(self._bad), cat(self._skipped))
        return Cover(unit, physical, landed, quarantined, skipped)
