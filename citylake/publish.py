"""Publish: the last step of write–audit–publish.

dbt builds into a private build database and the validity runner audits it there (``Settings.build_db``);
only then does this module put the result where readers look (``Settings.warehouse``):

- a mart is **published** when none of the feeds it is built from (its lineage in dbt's manifest, mart → … →
  source) failed a **strong** gate; otherwise it is **held**: the previously published version stays live,
  and when nothing was ever published (the very first run) the mart is absent from the published warehouse
  rather than published unaudited. Weak gates only warn;
- everything else (seeds, staging and intermediate views, the ``quality`` tables: the verdicts themselves)
  is always published.

How: the build database is copied to ``<name>.publish.duckdb`` beside the published file, the held marts in
that copy are put back to their published version (the published file attached read-only), and the copy is
renamed over the published file. A rename is atomic, and DuckDB readers hold their own open file: a reader
connected read-only during a build or a publish keeps reading the complete version it opened, the next
connection sees the complete new one, and no reader's lock can block the build or the publish (an in-place
``create or replace`` would need the exclusive write lock every read-only connection prevents).

Every decision is recorded in ``quality.publications`` (one row per mart per run, published with the rest),
so a reader can tell which run's build each live mart comes from.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

MARTS_FOLDER = "marts"
PUBLISHED = "published"
HELD = "held"

DDL = """
create schema if not exists quality;
create table if not exists quality.publications (
    run_id varchar not null,
    published_at timestamp with time zone not null,
    mart varchar not null,
    action varchar not null,
    live_run_id varchar,
    upstream_feeds varchar[] not null,
    blocked_by varchar[] not null
);
"""


class PublishError(RuntimeError):
    """Publication could not be completed; the published warehouse is unchanged."""


# ---- write: the private build database -------------------------------------------------------------------


def prepare_build_db(build_db: Path, published: Path) -> None:
    """Make sure the build starts from the published history.

    The build database persists between runs (dbt replaces every model in it; the ``quality`` history grows
    in it and is published with each run). When it is missing — the first run, an install from before
    write–audit–publish, or a deleted file — it starts as a copy of the published warehouse, so the validity
    and publication history readers already have is carried on rather than restarted. Nothing published
    yet: dbt starts from an empty file.
    """
    if build_db.exists() or not published.exists():
        return
    build_db.parent.mkdir(parents=True, exist_ok=True)
    partial = build_db.with_name(f"{build_db.name.split('.', 1)[0]}.copying.duckdb")
    shutil.copyfile(published, partial)
    os.replace(partial, build_db)
    log.info("build database %s started from the published %s", build_db, published)


# ---- lineage: which feeds each mart is built from --------------------------------------------------------


def mart_lineage(manifest: Mapping) -> dict[str, list[str]]:
    """``schema.table`` of every mart → the contract ids of the sources it is built from, transitively.

    A mart is a model under ``models/marts/``. The walk follows ``parent_map`` through models, seeds and
    snapshots (tests and unit tests are not lineage) down to sources, named by their ``contract_id`` meta
    (``<dept>.<feed>`` when a source has none).
    """
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    parents = manifest.get("parent_map", {})

    def feeds_of(uid: str, seen: set[str]) -> set[str]:
        if uid in seen:
            return set()
        seen.add(uid)
        node = nodes.get(uid)
        if node is None:
            return set()
        if node.get("resource_type") == "source":
            meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
            return {meta.get("contract_id") or f"{node['source_name']}.{node['name']}"}
        if node.get("resource_type") not in {"model", "seed", "snapshot"}:
            return set()
        found: set[str] = set()
        for p in parents.get(uid, node.get("depends_on", {}).get("nodes", [])):
            found |= feeds_of(p, seen)
        return found

    out = {}
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "model" or MARTS_FOLDER not in node.get("fqn", [])[1:-1]:
            continue
        relation = f"{node['schema']}.{node.get('alias') or node['name']}"
        out[relation] = sorted(feeds_of(uid, set()))
    return dict(sorted(out.items()))


def read_lineage(manifest_path: Path) -> dict[str, list[str]]:
    if not manifest_path.exists():
        raise PublishError(f"{manifest_path} is missing: dbt must build before the warehouse is published")
    return mart_lineage(json.loads(manifest_path.read_text(encoding="utf-8")))


# ---- the decision: a pure function ------------------------------------------------------------------------


@dataclass(frozen=True)
class MartDecision:
    mart: str  # schema.table
    action: str  # published | held
    upstream_feeds: tuple[str, ...]
    blocked_by: tuple[str, ...]  # upstream feeds whose strong gate failed


def failed_strong_gates(results: Iterable[Mapping]) -> set[str]:
    """Contract ids whose strong gate failed in these validity results (weak gates only warn)."""
    return {r["contract_id"] for r in results if r.get("gate") == "strong" and r.get("passed") is False}


def decide(lineage: Mapping[str, Iterable[str]], results: Iterable[Mapping]) -> list[MartDecision]:
    """Publish a mart unless a feed it is built from failed its strong gate; hold it otherwise.

    A feed without a verdict (not validated this run) blocks nothing: only a measured strong failure does.
    """
    failed = failed_strong_gates(results)
    out = []
    for mart, feeds in sorted(lineage.items()):
        feeds = tuple(sorted(set(feeds)))
        blocked = tuple(f for f in feeds if f in failed)
        out.append(MartDecision(mart, HELD if blocked else PUBLISHED, feeds, blocked))
    return out


# ---- the publication --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    run_id: str
    published: list[str]
    held: list[dict]  # {mart, blocked_by, kept_previous, live_run_id}
    seconds: float

    def summary(self) -> str:
        lines = [f"发布 published ({len(self.published)}): {', '.join(self.published) or '—'}"]
        for h in self.held:
            if h["kept_previous"]:
                keep = f"保留上次发布版本 last published version kept (run {h['live_run_id'] or 'before write-audit-publish'})"
            else:
                keep = "尚无已发布版本，暂不提供 nothing published yet: absent until its feeds pass"
            lines.append(f"暂缓发布 held back: {h['mart']} — 强门禁未达标 strong gate failed: "
                         f"{', '.join(h['blocked_by'])}; {keep}")
        return "\n".join(lines)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _qualified(mart: str) -> str:
    schema, table = mart.split(".", 1)
    return f"{_ident(schema)}.{_ident(table)}"


def _published_tables(con, catalog: str) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ?", [catalog]).fetchall()}


def _live_run_ids(con) -> dict[str, str]:
    """Mart → the run whose build of it is live, from the publication history in the build database."""
    rows = con.execute(
        """select mart, live_run_id from quality.publications
           qualify row_number() over (partition by mart order by published_at desc) = 1""").fetchall()
    return {m: r for m, r in rows if r is not None}


def _restore(con, published_catalog: str, mart: str) -> None:
    """Replace the build's version of ``mart`` with the published one, comments (Chinese labels) included."""
    schema, table = mart.split(".", 1)
    con.execute(f"create schema if not exists {_ident(schema)}")
    con.execute(f"create or replace table {_qualified(mart)} as "
                f"select * from {_ident(published_catalog)}.{_qualified(mart)}")
    (comment,) = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [published_catalog, schema, table]).fetchone()
    if comment:
        con.execute(f"comment on table {_qualified(mart)} is {_literal(comment)}")
    for column, text in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? and comment is not null", [published_catalog, schema, table]).fetchall():
        con.execute(f"comment on column {_qualified(mart)}.{_ident(column)} is {_literal(text)}")


def staging_path(published: Path) -> Path:
    """Where the next published version is assembled: beside the published file (a rename must not cross
    file systems) and with its catalogue name, like the build database."""
    return published.with_name(f"{published.name.split('.', 1)[0]}.publish.duckdb")


OLD = "_published"


def _attach_published(con, published: Path) -> bool:
    if not published.exists():
        return False
    # Read-only: a shared lock, which the readers' own shared locks never block.
    con.execute(f"attach {_literal(str(published))} as {OLD} (read_only)")
    return True


def publish(build_db: Path, published: Path, decisions: list[MartDecision], run_id: str) -> Publication:
    """Publish the audited build database: every mart decided ``published`` and all non-mart objects take
    the build's version, every ``held`` mart keeps its published version (or stays absent). Atomic for
    readers: the new file replaces the old by a rename."""
    import duckdb

    started = time.perf_counter()
    if not build_db.exists():
        raise PublishError(f"no build database at {build_db}: nothing to publish")
    published.parent.mkdir(parents=True, exist_ok=True)  # a first publication into a folder of its own
    now = datetime.now(timezone.utc)
    con = duckdb.connect(str(build_db))
    try:
        con.execute(DDL)
        live = _live_run_ids(con)
        attached = _attach_published(con, published)
        previous = _published_tables(con, OLD) if attached else set()
        held = []
        con.execute("begin transaction")
        con.execute("delete from quality.publications where run_id = ?", [run_id])
        for d in decisions:
            if d.action == PUBLISHED:
                live_run = run_id
            else:
                kept = d.mart in previous
                live_run = live.get(d.mart) if kept else None
                held.append({"mart": d.mart, "blocked_by": list(d.blocked_by), "kept_previous": kept,
                             "live_run_id": live_run})
            con.execute("insert into quality.publications values (?, ?, ?, ?, ?, ?, ?)",
                        [run_id, now, d.mart, d.action, live_run, list(d.upstream_feeds), list(d.blocked_by)])
        con.execute("commit")
        if attached:
            con.execute(f"detach {OLD}")
        con.execute("checkpoint")
    finally:
        con.close()

    staged = staging_path(published)
    try:
        staged.unlink(missing_ok=True)
        Path(f"{staged}.wal").unlink(missing_ok=True)
        shutil.copyfile(build_db, staged)
        if held:
            con = duckdb.connect(str(staged))
            try:
                attached = _attach_published(con, published)
                for h in held:
                    if h["kept_previous"]:
                        _restore(con, OLD, h["mart"])
                    else:
                        # Nothing was ever published: absent is honest, the unaudited build is not.
                        con.execute(f"drop table if exists {_qualified(h['mart'])}")
                if attached:
                    con.execute(f"detach {OLD}")
                con.execute("checkpoint")
            finally:
                con.close()
        os.replace(staged, published)
        _fsync_dir(published.parent)
    except Exception as exc:
        if staged.is_file():
            staged.unlink()
        _forget(build_db, run_id)
        raise PublishError(f"publishing {build_db} to {published} failed; the published warehouse is "
                           f"unchanged: {exc}") from exc
    return Publication(
        run_id=run_id,
        published=[d.mart for d in decisions if d.action == PUBLISHED],
        held=held,
        seconds=round(time.perf_counter() - started, 3),
    )


def _forget(build_db: Path, run_id: str) -> None:
    """A publication that did not happen must not stay in the history the next one publishes."""
    import duckdb

    con = duckdb.connect(str(build_db))
    try:
        con.execute("delete from quality.publications where run_id = ?", [run_id])
    finally:
        con.close()


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def as_dict(p: Publication) -> dict:
    return asdict(p)
