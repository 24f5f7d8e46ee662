"""The Parquet lake: raw rows with lineage, quarantine, and the manifest that commits each load.

A load is published in this order: raw file, quarantine file, manifest. The manifest is the commit
record: a Parquet file without a manifest is an interrupted load and is removed by ``sweep_orphans``
before the next load of its feed, so readers never see half a load for long, and never a load whose
counts do not add up (``check_accounting`` runs before anything is written).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa

from ingest.contracts import Contract
from ingest.lakefs import LakeFS
from ingest.records import LoadError, SourceBatch

Lake = "str | Path | LakeFS"  # a local folder, an fsspec URL, or an open LakeFS

LINEAGE_FIELDS = [
    pa.field("_record_id", pa.string()),
    pa.field("_source", pa.string()),
    pa.field("_row_number", pa.int64()),
    pa.field("_load_id", pa.string()),
    pa.field("_loaded_at", pa.timestamp("us", tz="UTC")),
    pa.field("_file_sha256", pa.string()),
    pa.field("_extra", pa.string()),
]

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("_source", pa.string()),
        pa.field("_row_number", pa.int64()),
        pa.field("_load_id", pa.string()),
        pa.field("_loaded_at", pa.timestamp("us", tz="UTC")),
        pa.field("_file_sha256", pa.string()),
        pa.field("raw_text", pa.string()),
        pa.field("reason", pa.string()),
    ]
)


@dataclass
class Manifest:
    load_id: str
    contract_id: str
    source: str
    sha256: str
    load_date: str
    started_at: str
    finished_at: str
    encoding: str | None
    rows_read: int
    rows_written: int
    rows_quarantined: int
    new_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    rows_resent: int = 0
    notes: list[str] = field(default_factory=list)  # what the reader noticed (encoding overruled …)
    status: str = "loaded"  # loaded | held (incomplete delivery, kept aside) | rejected
    error: str | None = None
    held_reason: str | None = None
    # Counted from the delivery itself (ingest.accounting), not from the reader: every physical unit is
    # landed, quarantined or skipped (header, title, blank), exactly once.
    unit: str | None = None  # line | row | record
    physical_units: int | None = None
    units_landed: int | None = None
    units_quarantined: int | None = None
    units_skipped: int | None = None


def raw_schema(contract: Contract) -> pa.Schema:
    return pa.schema([pa.field(c.name, pa.string()) for c in contract.columns] + LINEAGE_FIELDS)


def feed_dir(area: str, contract: Contract) -> str:
    """A feed's folder in one area of the lake (raw, quarantine, _manifest, _state), lake-relative."""
    return f"{area}/{contract.dept}/{contract.feed}"


def check_schema(contract: Contract, source: str, header: list[str], records: int) -> tuple[list[str], list[str]]:
    """Compare the delivered header (for JSON and XML: the fields the records named) with the contract:
    (new columns, missing optional columns).

    A missing required column fails the load (a renamed column shows up as missing + new).
    """
    if not header and not records:
        # A JSON or XML delivery with no record names no field: an empty day (no petition filed), not drift.
        return [], [c.source for c in contract.columns]
    delivered = set(header)
    known = contract.source_names
    missing_required = [c.source for c in contract.columns if c.required and c.source not in delivered]
    new = [h for h in header if h not in known]
    if missing_required:
        hint = f"; unknown columns delivered: {', '.join(new)}" if new else ""
        raise LoadError(
            f"{source}: schema drift against contract {contract.id}: required columns missing: "
            f"{', '.join(missing_required)}{hint}. Nothing of this file was loaded."
        )
    missing_optional = [c.source for c in contract.columns if c.source not in delivered]
    return new, missing_optional


def build_tables(
    contract: Contract, batch: SourceBatch, load_id: str, loaded_at: dt.datetime, new_columns: list[str]
) -> tuple[pa.Table, pa.Table]:
    """Raw rows under target names with lineage, and the quarantined rows."""
    cols: dict[str, list] = {c.name: [] for c in contract.columns}
    record_ids, rows_n, extras, sources = [], [], [], []
    for row in batch.rows:
        for c in contract.columns:
            cols[c.name].append(row.values.get(c.source))
        # A sheet name makes the position unique within a multi-sheet workbook: "<file>#<sheet>".
        record_ids.append(f"{load_id}:{row.part}:{row.row_number}" if row.part else f"{load_id}:{row.row_number}")
        sources.append(f"{batch.source}#{row.part}" if row.part else batch.source)
        rows_n.append(row.row_number)
        extra = {k: row.values.get(k) for k in new_columns if row.values.get(k) is not None}
        extras.append(json.dumps(extra, ensure_ascii=False) if extra else None)
    n = len(batch.rows)
    data = {
        **cols,
        "_record_id": record_ids,
        "_source": sources,
        "_row_number": rows_n,
        "_load_id": [load_id] * n,
        "_loaded_at": [loaded_at] * n,
        "_file_sha256": [batch.sha256] * n,
        "_extra": extras,
    }
    raw = pa.Table.from_pydict(data, schema=raw_schema(contract))
    q = len(batch.bad_rows)
    quarantine = pa.Table.from_pydict(
        {
            "_source": [f"{batch.source}#{b.part}" if b.part else batch.source for b in batch.bad_rows],
            "_row_number": [b.row_number for b in batch.bad_rows],
            "_load_id": [load_id] * q,
            "_loaded_at": [loaded_at] * q,
            "_file_sha256": [batch.sha256] * q,
            "raw_text": [b.raw_text for b in batch.bad_rows],
            "reason": [b.reason for b in batch.bad_rows],
        },
        schema=QUARANTINE_SCHEMA,
    )
    return raw, quarantine


def check_accounting(m: Manifest) -> None:
    if m.rows_read != m.rows_written + m.rows_quarantined:
        raise LoadError(
            f"{m.source}: rows do not add up: read {m.rows_read} ≠ written {m.rows_written} + "
            f"quarantined {m.rows_quarantined}; load {m.load_id} not published"
        )


def publish(lake: Lake, contract: Contract, manifest: Manifest, raw: pa.Table, quarantine: pa.Table) -> None:
    lake = LakeFS(lake)
    check_accounting(manifest)
    if raw.num_rows != manifest.rows_written or quarantine.num_rows != manifest.rows_quarantined:
        raise LoadError(f"{manifest.source}: tables disagree with the manifest; load {manifest.load_id} not published")
    raw_area, q_area = areas(manifest)
    if raw.num_rows:
        lake.write_parquet(raw, load_path(raw_area, contract, manifest))
    if quarantine.num_rows:
        lake.write_parquet(quarantine, load_path(q_area, contract, manifest))
    write_manifest(lake, contract, manifest)


def load_path(area: str, contract: Contract, manifest: Manifest) -> str:
    return f"{feed_dir(area, contract)}/load_date={manifest.load_date}/{manifest.load_id}.parquet"


def areas(manifest: Manifest) -> tuple[str, str]:
    # A held delivery's rows are kept aside, where staging does not read them, until it is superseded.
    return ("held", "held_quarantine") if manifest.status == "held" else ("raw", "quarantine")


def publish_streamed(lake: Lake, contract: Contract, manifest: Manifest, raw_tmp: str | None, q_tmp: str | None) -> None:
    """Publish a load whose files were streamed to hidden temporary names: move them into their area, then
    write the manifest (the commit)."""
    lake = LakeFS(lake)
    check_accounting(manifest)
    raw_area, q_area = areas(manifest)
    if raw_tmp:
        lake.move_temporary(raw_tmp, load_path(raw_area, contract, manifest))
    if q_tmp:
        lake.move_temporary(q_tmp, load_path(q_area, contract, manifest))
    write_manifest(lake, contract, manifest)


def write_manifest(lake: Lake, contract: Contract, manifest: Manifest) -> None:
    LakeFS(lake).write_text(
        json.dumps(asdict(manifest), ensure_ascii=False, indent=2),
        f"{feed_dir('_manifest', contract)}/{manifest.load_id}.json",
    )


def read_manifests(lake: Lake, contract: Contract) -> list[Manifest]:
    lake = LakeFS(lake)
    return [Manifest(**json.loads(lake.read_text(p))) for p in lake.glob(f"{feed_dir('_manifest', contract)}/*.json")]


def sweep_orphans(lake: Lake, contract: Contract) -> list[str]:
    """Remove Parquet files of loads that never got a manifest (an interrupted publish) and the hidden
    temporary files of writes killed before their rename; lake-relative paths."""
    lake = LakeFS(lake)
    committed = {m.load_id for m in read_manifests(lake, contract)}
    removed = []
    for area in ("raw", "quarantine", "held", "held_quarantine"):
        for rel in lake.glob(f"{feed_dir(area, contract)}/load_date=*/*.parquet"):
            if rel.rsplit("/", 1)[1].removesuffix(".parquet") not in committed:
                lake.remove(rel)
                removed.append(rel)
        # Loads of one feed run one at a time (its ingest task), so no live write owns these.
        for rel in lake.glob_temporary(f"{feed_dir(area, contract)}/load_date=*"):
            lake.remove(rel)
            removed.append(rel)
    return removed
