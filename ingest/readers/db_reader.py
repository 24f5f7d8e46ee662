"""Front-end databases (前置机): incremental pulls by update time through SQLAlchemy.

Rows are read in keyset order on (watermark column, key column), in chunks. Each chunk becomes one lake
load and the position moves only after it is committed, so a pull interrupted by a lost connection
resumes at the first uncommitted row: nothing is lost and nothing lands twice.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ingest.records import LoadError, ParsedRow, SourceBatch


@dataclass
class Position:
    """The last committed (watermark value, key) pair, as text."""

    value: str | None = None
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "key": self.key}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Position":
        data = data or {}
        return cls(data.get("value"), data.get("key"))


def db_text(v: Any) -> str | None:
    """A database value as the text a department's export would show."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        # Microseconds only when present: a watermark that drops them would re-read its boundary rows.
        return v.strftime("%Y-%m-%d %H:%M:%S.%f" if v.microsecond else "%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    s = str(v).strip()
    return s or None


def typed_value(text: str, column_type) -> Any:
    """A committed position (text) back as the column's Python type, so each dialect binds it its own way.

    SQL CAST differs between engines (SQLite's CAST(… AS DATETIME) gives a number); SQLAlchemy's type
    processors do not.
    """
    import sqlalchemy as sa

    if isinstance(column_type, sa.DateTime):
        return dt.datetime.fromisoformat(text)
    if isinstance(column_type, sa.Date):
        return dt.date.fromisoformat(text)
    if isinstance(column_type, sa.Integer):
        return int(text)
    if isinstance(column_type, sa.Numeric):
        return decimal.Decimal(text)
    return text


def safe_url(url: str) -> str:
    """The database URL without its password, for lineage and messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def pull_chunks(
    url: str,
    table: str,
    *,
    watermark_column: str,
    key_column: str,
    since: Position,
    chunk_size: int = 50_000,
    schema: str | None = None,
    engine: Any = None,
) -> Iterator[tuple[SourceBatch, Position]]:
    """Yield (chunk, position after it) until the table has nothing newer than ``since``."""
    import sqlalchemy as sa

    engine = engine or sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        schema = None  # the embedded front-end file has one schema; a contract's server schema names the real one
    source = f"{safe_url(url)}#{schema + '.' if schema else ''}{table}"
    try:
        meta = sa.MetaData()
        t = sa.Table(table, meta, autoload_with=engine, schema=schema)
    except sa.exc.NoSuchTableError as exc:
        raise LoadError(f"{source}: table not found") from exc
    except sa.exc.DBAPIError as exc:
        raise LoadError(f"{source}: cannot connect: {exc.orig}") from exc
    if watermark_column not in t.c or key_column not in t.c:
        raise LoadError(f"{source}: needs columns {watermark_column!r} and {key_column!r}")
    wm, key = t.c[watermark_column], t.c[key_column]
    pos = since
    try:
        with engine.connect() as conn:
            while True:
                q = sa.select(t).order_by(wm, key).limit(chunk_size)
                if pos.value is not None:
                    # Compare in the column's own type so the keyset order is the database's order.
                    v = sa.literal(typed_value(pos.value, wm.type), type_=wm.type)
                    k = sa.literal(typed_value(pos.key, key.type), type_=key.type)
                    q = q.where(sa.or_(wm > v, sa.and_(wm == v, key > k)))
                rows = conn.execute(q).mappings().all()
                if not rows:
                    return
                digest = hashlib.sha256()
                batch = SourceBatch(source=source, sha256="", header=list(rows[0].keys()), encoding="db")
                for i, r in enumerate(rows, start=1):
                    values = {k: db_text(v) for k, v in r.items()}
                    digest.update(repr(sorted(values.items())).encode("utf-8"))
                    batch.rows.append(ParsedRow(i, values))
                batch.sha256 = digest.hexdigest()
                last = rows[-1]
                pos = Position(db_text(last[watermark_column]), db_text(last[key_column]))
                yield batch, pos
                if len(rows) < chunk_size:
                    return
    except sa.exc.DBAPIError as exc:
        raise LoadError(
            f"{source}: connection lost after position {pos.value!r}/{pos.key!r}: {exc.orig}. "
            "Committed chunks stay; the next run resumes from there."
        ) from exc
