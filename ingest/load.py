"""Load one feed into the lake: find what is new, read it, account for every row, publish."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ingest.accounting import TEXT_FORMATS, Cover, FileScan, check_cover, count_lines, scan_file, xlsx_rows
from ingest.completeness import CHANGED_WHILE_READ, hold_after_reading, hold_before_reading
from ingest.contracts import Contract
from ingest.lake import (
    Lake,
    Manifest,
    build_tables,
    check_schema,
    feed_dir,
    publish,
    publish_streamed,
    read_manifests,
    sweep_orphans,
    write_manifest,
)
from ingest.lakefs import LakeFS
from ingest.readers.api_reader import Watermark, spool_pull
from ingest.readers.csv_reader import read_csv
from ingest.readers.csv_stream import stream_csv
from ingest.readers.db_reader import Position, pull_chunks
from ingest.readers.json_reader import read_json, read_jsonl, stream_json, stream_jsonl
from ingest.readers.xml_reader import count_records, count_records_in, read_xml, stream_xml
from ingest.readers.xlsx_reader import ALL_SHEETS, read_xls, read_xlsx, sheet_members
from ingest.records import LoadError, SourceBatch, Stream
from ingest.stream import StreamSink

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class LoadResult:
    contract_id: str
    source: str
    status: str  # loaded | held (incomplete, kept aside) | skipped (already loaded) | rejected | empty (API: nothing new)
    load_id: str | None = None
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    message: str = ""


def new_load_id(now: dt.datetime, sha256: str) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{sha256[:8]}"


def read_file(contract: Contract, data: bytes, source: str) -> SourceBatch:
    d = contract.delivery
    if d.format == "csv":
        return read_csv(data, source, encoding=d.encoding, delimiter=d.delimiter, max_record_lines=d.max_record_lines)
    if d.format == "xlsx":
        return read_xlsx(data, source, sheet=d.sheet, header_row=d.header_row, header_depth=d.header_depth)
    if d.format == "xls":
        return read_xls(data, source, sheet=d.sheet, header_row=d.header_row, header_depth=d.header_depth)
    if d.format == "json":
        return read_json(data, source, encoding=d.encoding, records_path=d.records_path)
    if d.format in ("jsonl", "ndjson"):
        return read_jsonl(data, source, encoding=d.encoding)
    if d.format == "xml":
        return read_xml(data, source, record_tag=d.record_tag or "")
    raise LoadError(f"{contract.id}: no reader for file format {d.format!r} yet")


def physical_units(contract: Contract, data: bytes, batch: SourceBatch) -> dict[str | None, np.ndarray]:
    """The units the delivery holds, counted from its bytes without the reader: lines of a text file, the
    rows each sheet's XML declares, the record elements of an XML document. A JSON document's records
    (one parse, no line structure) and legacy .xls rows (BIFF row records, via xlrd) come from the format's
    own structure, read apart from the record conversion."""
    d = contract.delivery
    if d.format in TEXT_FORMATS:
        return {None: np.arange(1, count_lines(data) + 1)}
    if d.format == "xml":
        return {None: np.arange(1, count_records(data, d.record_tag or "") + 1)}
    if d.format == "xlsx":
        members = sheet_members(data)
        names = list(members) if d.sheet == ALL_SHEETS else [d.sheet or next(iter(members))]
        rows = xlsx_rows(data, {n: members[n] for n in names})
        return rows if d.sheet == ALL_SHEETS else {None: rows[names[0]]}
    if d.format == "xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        try:
            names = book.sheet_names() if d.sheet == ALL_SHEETS else [d.sheet or book.sheet_names()[0]]
            rows = {n: np.arange(1, book.sheet_by_name(n).nrows + 1) for n in names}
        finally:
            book.release_resources()
        return rows if d.sheet == ALL_SHEETS else {None: rows[names[0]]}
    return {None: np.arange(1, batch.rows_read + 1)}


def _manifest(contract: Contract, load_id: str, source: str, sha256: str, now: dt.datetime, *, encoding: str | None,
              written: int, quarantined: int, new_cols: list[str], missing: list[str], notes: list[str],
              cover: Cover, held_reason: str | None, rows_resent: int = 0) -> Manifest:
    return Manifest(
        load_id=load_id,
        contract_id=contract.id,
        source=source,
        sha256=sha256,
        load_date=now.astimezone(SHANGHAI).date().isoformat(),
        started_at=now.isoformat(),
        finished_at=dt.datetime.now(dt.timezone.utc).isoformat(),
        encoding=encoding,
        rows_read=written + quarantined,
        rows_written=written,
        rows_quarantined=quarantined,
        new_columns=new_cols,
        missing_columns=missing,
        rows_resent=rows_resent,
        notes=notes,
        status="held" if held_reason else "loaded",
        held_reason=held_reason,
        unit=cover.unit,
        physical_units=cover.physical,
        units_landed=cover.landed,
        units_quarantined=cover.quarantined,
        units_skipped=cover.skipped,
    )


def _result(m: Manifest) -> LoadResult:
    return LoadResult(m.contract_id, m.source, m.status, m.load_id, m.rows_read, m.rows_written,
                      m.rows_quarantined, message=m.held_reason or "")


def land_batch(
    lake_dir: Lake, contract: Contract, batch: SourceBatch, now: dt.datetime, rows_resent: int = 0,
    cover: Cover | None = None, held_reason: str | None = None,
) -> LoadResult:
    """Schema-check, account and publish one batch as one load (kept aside when ``held_reason``)."""
    new_cols, missing = check_schema(contract, batch.source, batch.header, batch.rows_read)
    load_id = new_load_id(now, batch.sha256)
    raw, quarantine = build_tables(contract, batch, load_id, now, new_cols)
    # An API page or database chunk is its own physical count: each record it sent is one unit.
    cover = cover or Cover(batch.unit, batch.rows_read, raw.num_rows, quarantine.num_rows, 0)
    manifest = _manifest(contract, load_id, batch.source, batch.sha256, now, encoding=batch.encoding,
                         written=raw.num_rows, quarantined=quarantine.num_rows, new_cols=new_cols, missing=missing,
                         notes=list(batch.notes), cover=cover, held_reason=held_reason, rows_resent=rows_resent)
    if manifest.rows_read != batch.rows_read:
        raise LoadError(f"{batch.source}: tables disagree with the batch; load {load_id} not published")
    publish(lake_dir, contract, manifest, raw, quarantine)
    return _result(manifest)


STREAMED_FORMATS = frozenset({"csv", "json", "jsonl", "ndjson", "xml"})


def open_stream(contract: Contract, f: BinaryIO, source: str) -> Stream:
    d = contract.delivery
    if d.format == "csv":
        return stream_csv(f, source, encoding=d.encoding, delimiter=d.delimiter, max_record_lines=d.max_record_lines)
    if d.format == "json":
        return stream_json(f, source, encoding=d.encoding, records_path=d.records_path)
    if d.format in ("jsonl", "ndjson"):
        return stream_jsonl(f, source, encoding=d.encoding)
    if d.format == "xml":
        return stream_xml(f, source, record_tag=d.record_tag or "")
    raise LoadError(f"{contract.id}: no streaming reader for file format {d.format!r}")


def _physical(contract: Contract, path: Path, scan: FileScan, records: int) -> int:
    """The delivery's units counted apart from the reader: lines of a text file, record start-tags of an XML
    document. A JSON document's records come from its own structure (one parse, no line structure)."""
    d = contract.delivery
    if d.format in TEXT_FORMATS:
        return scan.lines
    if d.format == "xml":
        return count_records_in(path, d.record_tag or "")
    return records


@dataclass
class _Streamed:
    sink: StreamSink
    cover: Cover
    new_cols: list[str]
    missing: list[str]
    raw_tmp: str | None
    q_tmp: str | None

    @property
    def records(self) -> int:
        return self.sink.rows_written + self.sink.rows_quarantined

    def discard(self, lake: LakeFS) -> None:
        for tmp in (self.raw_tmp, self.q_tmp):
            if tmp:
                lake.discard_temporary(tmp)


def _stream_into_lake(lake: LakeFS, contract: Contract, stream: Stream, source: str, sha256: str, load_id: str,
                      now: dt.datetime, physical) -> _Streamed:
    """Write a stream's blocks to the load's temporary files and account them against ``physical(records)``,
    the delivery's own count; nothing is in place yet (``publish_streamed`` does that)."""
    if stream.header is not None:  # a CSV header is checked before any row is read
        new_cols, missing = check_schema(contract, source, stream.header, 1)
    sink = StreamSink(lake, contract, source, sha256, load_id, now, now.astimezone(SHANGHAI).date().isoformat())
    try:
        for block in stream.blocks:
            sink.add(block)
        records = sink.rows_written + sink.rows_quarantined
        if stream.header is None:  # JSON, XML: the fields are those the records named
            new_cols, missing = check_schema(contract, source, sink.columns, records)
        cover = sink.cover(stream.unit, physical(records))
        raw_tmp, q_tmp = sink.close()
    except BaseException:
        sink.discard()
        raise
    return _Streamed(sink, cover, new_cols, missing, raw_tmp, q_tmp)


def _commit(lake: LakeFS, contract: Contract, done: _Streamed, source: str, sha256: str, load_id: str,
            now: dt.datetime, encoding: str | None, notes: list[str], reason: str | None,
            rows_resent: int = 0) -> LoadResult:
    manifest = _manifest(contract, load_id, source, sha256, now, encoding=encoding, written=done.sink.rows_written,
                         quarantined=done.sink.rows_quarantined, new_cols=done.new_cols, missing=done.missing,
                         notes=notes + done.sink.notes, cover=done.cover, held_reason=reason, rows_resent=rows_resent)
    publish_streamed(lake, contract, manifest, done.raw_tmp, done.q_tmp)
    return _result(manifest)


def land_stream(lake: LakeFS, contract: Contract, path: Path, source: str, scan: FileScan, now: dt.datetime,
                reason: str | None, last_records: int | None, held: dict[str, Manifest]) -> LoadResult:
    """Stream a delivery into the lake block by block (ingest.stream), then account, decide and commit."""
    load_id = new_load_id(now, scan.sha256)
    with path.open("rb") as f:
        stream = open_stream(contract, f, source)
        done = _stream_into_lake(lake, contract, stream, source, scan.sha256, load_id, now,
                                 lambda records: _physical(contract, path, scan, records))
    st = path.stat()
    if (st.st_size, st.st_mtime_ns) != (scan.size, scan.mtime_ns):
        reason = reason or CHANGED_WHILE_READ
    reason = reason or hold_after_reading(contract, done.records, last_records)
    if reason and scan.sha256 in held:
        done.discard(lake)
        return _still_held(contract, source, held[scan.sha256], reason)
    return _commit(lake, contract, done, source, scan.sha256, load_id, now, stream.encoding, stream.notes, reason)


def reject_file(lake_dir: Lake, contract: Contract, path: Path, source: str, sha: str, error: str, now: dt.datetime,
                physical: int | None = None) -> LoadResult:
    """Quarantine a whole unreadable file, keeping its bytes and the reason."""
    load_id = new_load_id(now, sha)
    LakeFS(lake_dir).put_file(path, f"{feed_dir('quarantine', contract)}/_files/{load_id}__{path.name}")
    unit = "line" if contract.delivery.format in TEXT_FORMATS else None
    write_manifest(
        lake_dir,
        contract,
        Manifest(
            load_id=load_id, contract_id=contract.id, source=source, sha256=sha,
            load_date=now.astimezone(SHANGHAI).date().isoformat(), started_at=now.isoformat(),
            finished_at=dt.datetime.now(dt.timezone.utc).isoformat(), encoding=None,
            rows_read=0, rows_written=0, rows_quarantined=0, status="rejected", error=error,
            # The whole file is quarantined: all its lines are, and the manifest says how many.
            unit=unit, physical_units=physical, units_landed=0, units_quarantined=physical, units_skipped=0,
        ),
    )
    return LoadResult(contract.id, source, "rejected", load_id, message=error)


def _still_held(contract: Contract, source: str, m: Manifest, reason: str) -> LoadResult:
    """A delivery held on an earlier run and still incomplete: reported, not landed again."""
    return LoadResult(contract.id, source, "held", m.load_id, message=f"still held since load {m.load_id}: {reason}")


def _is_marker(contract: Contract, path: Path) -> bool:
    m = contract.delivery.done_marker
    return bool(m) and path.name.endswith(m)


def ingest_files(contract: Contract, landing_dir: Path, lake_dir: Lake, now: dt.datetime | None = None) -> list[LoadResult]:
    lake_dir = LakeFS(lake_dir)
    sweep_orphans(lake_dir, contract)
    manifests = sorted(read_manifests(lake_dir, contract), key=lambda m: m.load_id)
    # A held delivery is looked at again on every run: once its marker arrives it is loaded.
    done = {m.sha256 for m in manifests if m.status != "held"}
    held = {m.sha256: m for m in manifests if m.status == "held"}
    # What the snapshot checks compare with: the sources accepted so far and the last one's record count.
    accepted = [m.source for m in manifests if m.status == "loaded"]
    last_records = next(((m.rows_written + m.rows_quarantined) for m in reversed(manifests) if m.status == "loaded"), None)
    results = []
    for path in sorted(landing_dir.glob(contract.delivery.path or "")):
        if path.name.startswith(".") or not path.is_file() or _is_marker(contract, path):
            continue  # a department's temporary name: not delivered yet
        source = path.relative_to(landing_dir).as_posix()
        before = path.stat()
        scan = scan_file(path)
        sha = scan.sha256
        if sha in done:
            results.append(LoadResult(contract.id, source, "skipped", message="already loaded (same sha256)"))
            continue
        when = now or dt.datetime.now(dt.timezone.utc)
        reason = hold_before_reading(contract, path, scan, before, path.stat(), max(accepted, default=None), source)
        try:
            try:
                if contract.delivery.format in STREAMED_FORMATS and not scan.utf16:
                    result = land_stream(lake_dir, contract, path, source, scan, when, reason, last_records, held)
                else:
                    result = _land_whole(lake_dir, contract, path, source, scan, when, reason, last_records, held)
            except LoadError:
                raise
            except Exception as exc:  # a reader's own failure must name the file and stop only this file
                raise LoadError(f"{source}: cannot be read as {contract.delivery.format}: "
                                f"{type(exc).__name__}: {exc}") from exc
            results.append(result)
            if result.status == "loaded":
                accepted.append(source)
                last_records = result.rows_read
            held_now = result.status == "held"
        except LoadError as exc:
            physical = scan.lines if contract.delivery.format in TEXT_FORMATS else None
            results.append(reject_file(lake_dir, contract, path, source, sha, str(exc), when, physical))
            held_now = False
        if not held_now:
            done.add(sha)
    return results


def _land_whole(lake: LakeFS, contract: Contract, path: Path, source: str, scan: FileScan, now: dt.datetime,
                reason: str | None, last_records: int | None, held: dict[str, Manifest]) -> LoadResult:
    """Workbooks, read whole (a zip needs random access), and UTF-16 text (its line ends are not LF bytes)."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != scan.sha256:
        reason = reason or CHANGED_WHILE_READ
    batch = read_file(contract, data, source)
    cover = check_cover(batch, physical_units(contract, data, batch))
    reason = reason or hold_after_reading(contract, batch.rows_read, last_records)
    if reason and scan.sha256 in held:
        return _still_held(contract, source, held[scan.sha256], reason)
    return land_batch(lake, contract, batch, now, cover=cover, held_reason=reason)


def _state_rel(contract: Contract) -> str:
    return f"{feed_dir('_state', contract)}.json"


def _read_state(lake: LakeFS, contract: Contract) -> dict | None:
    rel = _state_rel(contract)
    return json.loads(lake.read_text(rel)) if lake.exists(rel) else None


def _write_state(lake: LakeFS, contract: Contract, state: dict) -> None:
    # The position moves only after the load is committed, so a failed publish is pulled again.
    lake.write_text(json.dumps(state, ensure_ascii=False), _state_rel(contract))


def ingest_api(contract: Contract, lake_dir: Lake, base_url: str, token: str | None, now: dt.datetime | None = None, **pull_kw) -> list[LoadResult]:
    """Pull a paged API incrementally into one load. The pages are spooled to a local temporary file as
    they arrive (one JSON line per record) and streamed into the lake from there: a pull of any size holds
    one page in memory, and lands whole or not at all."""
    import tempfile

    d = contract.delivery
    if not d.watermark_field:
        raise LoadError(f"{contract.id}: API delivery needs a watermarkField")
    lake = LakeFS(lake_dir)
    sweep_orphans(lake, contract)
    since = Watermark.from_json(_read_state(lake, contract))
    url = base_url.rstrip("/") + (d.api_path or "")
    key_col = contract.column(contract.primary_key[0]).source
    now = now or dt.datetime.now(dt.timezone.utc)
    with tempfile.TemporaryFile(prefix="citylake-pull-") as spool:
        got = spool_pull(url, token, spool, page_size=d.page_size, records_field=d.records_field,
                         total_field=d.total_field, watermark_field=d.watermark_field, key_field=key_col,
                         since=since, **pull_kw)
        if not got.records:
            return [LoadResult(contract.id, url, "empty", message=f"nothing newer than {since.value}")]
        spool.seek(0)
        stream = stream_jsonl(spool, url, encoding="utf-8", unit="record")
        load_id = new_load_id(now, got.sha256)
        # The physical count is the spooler's: the records the pages held, less the re-sent ones.
        done = _stream_into_lake(lake, contract, stream, url, got.sha256, load_id, now, lambda _: got.records)
    result = _commit(lake, contract, done, url, got.sha256, load_id, now, "utf-8", [], None, rows_resent=got.resent)
    _write_state(lake, contract, got.watermark.to_json())
    return [result]


def ingest_db(contract: Contract, lake_dir: Lake, url: str, now: dt.datetime | None = None, **pull_kw) -> list[LoadResult]:
    """Pull a front-end database table incrementally; one load per chunk, position saved after each."""
    d = contract.delivery
    if not (d.table and d.watermark_field):
        raise LoadError(f"{contract.id}: database delivery needs table and watermarkField")
    lake = LakeFS(lake_dir)
    sweep_orphans(lake, contract)
    pos = Position.from_json(_read_state(lake, contract))
    key_col = contract.column(contract.primary_key[0]).source
    results = []
    for batch, after in pull_chunks(url, d.table, watermark_column=d.watermark_field, key_column=key_col,
                                    since=pos, schema=d.db_schema, **pull_kw):
        results.append(land_batch(lake, contract, batch, now or dt.datetime.now(dt.timezone.utc)))
        _write_state(lake, contract, after.to_json())
    return results or [LoadResult(contract.id, d.table, "empty", message=f"nothing newer than {pos.value}")]
