"""The front-end database (前置机) of a department that delivers by database, e.g. 卫健委.

:class:`DbSink` writes a contract's records into a table named by the contract (``delivery.table``, in
``delivery.db_schema`` when set, except in SQLite, which has no schemas), columns under the department's names (``physicalName``), typed from the
contract's logical types: ``timestamp`` → TIMESTAMP, ``date`` → DATE (SQLite: sortable text), ``integer`` → BIGINT, ``number`` →
NUMERIC, others text (the primary key VARCHAR(64), the table's primary key). The update-time column is the
contract's ``watermarkField``; the pipeline's ``ingest.readers.db_reader`` pulls by (it, key).

Where: an embedded SQLite file by default (``<sim>/frontdb/<dept>.sqlite``, e.g. ``weijian.sqlite``) so
``make run`` needs no server, or any SQLAlchemy URL (PostgreSQL, MariaDB) given as ``frontdb_url`` or in
``$CITYLAKE_SIM_FRONTDB_URL``.

Day 0 replaces the table (drop and create; a department's tables share one database file, so the file
is written in place, like the live database it stands for); a delta day upserts the changed rows (delete by key, insert) in one transaction, with their later update
times. A front-end database has a primary key, so the ``duplicate`` defect does not apply; values of
typed columns must parse with the column's formats (put date defects on text columns).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ingest.contracts import Contract
from simulator.defects import Record
from simulator.truth import TruthWriter

ENV_URL = "CITYLAKE_SIM_FRONTDB_URL"
BATCH_ROWS = 5_000


def resolve_url(url: str | None, sim_dir: Path, dept: str) -> str:
    """The explicit URL, else ``$CITYLAKE_SIM_FRONTDB_URL``, else a SQLite file under ``sim/frontdb/``."""
    url = url or os.environ.get(ENV_URL)
    if url:
        return url
    return f"sqlite:///{(Path(sim_dir) / 'frontdb' / f'{dept}.sqlite').as_posix()}"


def _sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


class DbSink:
    def __init__(self, contract: Contract, url: str, truth: TruthWriter, *, text_columns: tuple[str, ...] = (),
                 batch_rows: int = BATCH_ROWS) -> None:
        import sqlalchemy as sa

        d = contract.delivery
        if not (d.table and d.watermark_field):
            raise ValueError(f"{contract.id}: a database feed needs table and watermarkField")
        if not contract.primary_key:
            raise ValueError(f"{contract.id}: a database feed needs a primary key")
        self.contract, self.url, self.truth = contract, url, truth
        self.day = 0
        self.batch_rows = batch_rows
        self.rows = 0
        self.valid = 0
        self._severity = {r.rule_id: r.severity for r in contract.rules}
        self._pk = contract.primary_key[0]
        self.key_column = contract.column(self._pk).source
        self._keys = contract.primary_key  # the truth's record key: every key column, '|'-joined
        self._buffer: list[dict] = []
        self._types: dict[str, tuple[str, tuple[str, ...]]] = {}
        # SQLite has no timestamp type: its DATETIME columns are text with NUMERIC affinity, so the
        # pipeline's keyset comparison (CAST(? AS DATETIME)) would turn '2026-11-21 09:00:00' into 2026 and
        # never stop. Timestamps and dates are TEXT there, written 'YYYY-MM-DD HH:MM:SS' / 'YYYY-MM-DD',
        # which sort as they compare; PostgreSQL and MariaDB get real TIMESTAMP and DATE columns.
        self._sqlite = url.startswith("sqlite")
        cols = []
        for c in contract.columns:
            kind = "text" if c.name in text_columns else c.logical_type
            self._types[c.source] = (kind, c.formats)
            if c.primary_key:
                t = sa.String(64)
            elif kind in ("timestamp", "date") and self._sqlite:
                t = sa.Text()
            elif kind == "timestamp":
                t = sa.DateTime()
            elif kind == "date":
                t = sa.Date()
            elif kind == "integer":
                t = sa.BigInteger()
            elif kind == "number":
                t = sa.Numeric(18, 4)
            else:
                t = sa.Text()
            cols.append(sa.Column(c.source, t, primary_key=c.primary_key, nullable=not c.primary_key))
        if d.watermark_field not in self._types:
            raise ValueError(f"{contract.id}: watermarkField {d.watermark_field} is not a column")
        self.table = sa.Table(d.table, sa.MetaData(), *cols,
                              sa.Index(f"ix_{d.table}_{d.watermark_field}", d.watermark_field, self.key_column),
                              schema=None if self._sqlite else d.db_schema)  # SQLite has no schemas
        self._final_sqlite = _sqlite_path(url)
        self._engine = None
        self._day_open = None

    # -- per day --------------------------------------------------------------------------------------
    def _open(self) -> None:
        import sqlalchemy as sa

        if self._day_open == self.day:
            return
        self._flush()
        self._day_open = self.day
        if self.day == 0:
            if self._final_sqlite is not None:
                self._final_sqlite.parent.mkdir(parents=True, exist_ok=True)
            self._engine = sa.create_engine(self.url)
            with self._engine.begin() as conn:
                self.table.drop(conn, checkfirst=True)
                self.table.create(conn)
        elif self._engine is None:
            self._engine = sa.create_engine(self.url)

    def _value(self, source: str, text: str | None):
        if text is None or text == "":
            return None
        kind, formats = self._types[source]
        if kind in ("timestamp", "date"):
            for fmt in formats or ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
                try:
                    v = dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
                if self._sqlite:
                    return v.strftime("%Y-%m-%d %H:%M:%S") if kind == "timestamp" else v.strftime("%Y-%m-%d")
                return v if kind == "timestamp" else v.date()
            raise ValueError(f"{self.contract.id}: {source}={text!r} does not parse for a {kind} column")
        return text

    def write(self, rec: Record) -> None:
        self._open()
        row = {c.source: self._value(c.source, rec.values.get(c.name) or None) for c in self.contract.columns}
        self._buffer.append(row)
        is_valid = not any(self._severity.get(r, "error") == "error" for r in rec.broken)
        self.valid += is_valid
        self.rows += 1
        d = self.contract.delivery
        self.truth.records.add({
            "contract_id": self.contract.id, "source": f"{d.db_schema + '.' if d.db_schema else ''}{d.table}",
            "row_number": None, "record_key": "|".join(rec.values.get(k) or "" for k in self._keys),
            "entity_key": rec.entity_key,
            "defects": list(rec.defects), "broken_rules": sorted(rec.broken), "is_valid": is_valid,
            "sheet": None, "day": self.day,
        })
        if len(self._buffer) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        key = self.table.c[self.key_column]
        with self._engine.begin() as conn:
            if self._day_open:
                conn.execute(self.table.delete().where(key.in_([r[self.key_column] for r in self._buffer])))
            conn.execute(self.table.insert(), self._buffer)
        self._buffer = []

    def close(self) -> dict:
        self._open()
        self._flush()
        if self._engine is not None:
            self._engine.dispose()
        from ingest.readers.db_reader import safe_url

        return {"url": safe_url(self.url), "table": self.contract.delivery.table, "records": self.rows,
                "valid": self.valid}

    def abort(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
