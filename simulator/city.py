"""Simulate a city and render it as its departments' feeds, with the ground truth beside them.

``simulate(out_dir, persons, seed, as_of, days=D)`` runs every feed of the registry
(:mod:`simulator.feeds`, one ``FeedSpec`` per contract) over the city and writes
- file feeds under ``out_dir/landing/<dept>/<feed>/<feed>_<YYYYMMDD>.<ext>`` (one per delivery day),
- API feeds' backing stores under ``out_dir/sim/api/<dept>/…jsonl`` and ``out_dir/sim/api/registry.json``
  (what :mod:`simulator.api_server` serves),
- front-end database feeds into ``out_dir/sim/frontdb/<dept>.sqlite`` or the database at
  ``frontdb_url`` / ``$CITYLAKE_SIM_FRONTDB_URL`` (:mod:`simulator.frontdb`),
- ``out_dir/sim/truth/{persons,houses,records,changes}.parquet`` and ``config.json``, and the world's
  truth tables (divisions … events, ``indicators.parquet``; camera_status per day, event_updates per delta day).

The world (:mod:`simulator.world`: villages, grid workers, organisations, cameras, events) is built in the
same pass as the grids: each grid is summarised by the ``WorldBuilder`` before its feeds are drawn (grid
feeds see it as ``ctx.world_grid``); after day 0's grid loop the world is finished and its truth written.
World-level feeds (``FeedSpec.world_records``) then run after each day's grid loop, into the same sinks.

Day 0 is the full load as of ``as_of``; days 1..D are daily deltas dated ``as_of + d``
(:mod:`simulator.deltas`). The city is generated grid by grid — each grid's records are drawn, damaged
and written before the next grid is made — and again for each delta day from the same seed.
Same seed, as_of and days ⇒ byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import random
import sys
import time
from pathlib import Path

from faker import Faker

from ingest.contracts import Contract, load_contracts
from simulator import defects
from simulator.address import standard_address
from simulator.atomic import write_text_atomic
from simulator.deltas import Moves
from simulator.defects import FeedDefects, FeedEnv
from simulator.feeds import all_specs
from simulator.feeds import writers
from simulator.feeds.api_store import ApiStoreSink
from simulator.feeds.registry import FILE_EXT, FeedSpec, FeedState, GridContext, WorldContext
from simulator.geography import CityMap
from simulator.people import Population
from simulator.truth import TruthWriter
from simulator.world import World, WorldBuilder, WorldConfig
from simulator.world import rows as world_rows
from simulator.world.vital import VitalState, day_changes

FEEDS = ("gongan.hukou", "gongan.liudong", "zhujian.fangwu", "shuju.hotline")  # the required core
PROGRESS_FROM = 50_000  # persons: larger runs report progress on stderr


def _contracts_dir() -> Path:
    from citylake.config import settings

    return settings().contracts_dir


def _file_name(contract: Contract, day: dt.date, ext: str | None = None) -> str:
    ext = ext or contract.delivery.path.rsplit(".", 1)[1]
    name = f"{contract.feed}_{day:%Y%m%d}.{ext}"
    folder = contract.delivery.path.rsplit("/", 1)[0]
    if not fnmatch.fnmatch(f"{folder}/{name}", contract.delivery.path):
        raise ValueError(f"{name} would not match {contract.id}'s path {contract.delivery.path}")
    return name


class _Progress:
    """A one-line progress report on stderr for big runs (no dependency)."""

    def __init__(self, total: int, days: int, enabled: bool) -> None:
        self.total, self.days, self.enabled = total, days, enabled
        self.started = time.perf_counter()
        self._last = 0.0
        # On a terminal the line redraws itself every 2 s; in a log, a new line every 30 s.
        self._tty = sys.stderr.isatty()

    def update(self, day: int, done: int, final: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not final and now - self._last < (2.0 if self._tty else 30.0)):
            return
        self._last = now
        overall = (day * self.total + done) / (self.total * (self.days + 1))
        eta = (now - self.started) * (1 - overall) / overall if overall else 0
        print(f"\rsimulate: day {day}/{self.days} persons {done:,}/{self.total:,} ({overall:6.1%}) "
              f"{now - self.started:7.1f} s elapsed, ~{eta:6.0f} s left", end="\n" if final or not self._tty else "",
              file=sys.stderr, flush=True)


def simulate(out_dir: Path, persons: int, seed: int, as_of: dt.date,
             rates: dict[str, dict[str, float]] | None = None,
             contracts_dir: Path | None = None, days: int = 0, *,
             frontdb_url: str | None = None, delivery_modes: dict[str, str] | None = None,
             move_rate: float | None = None, progress: bool | None = None,
             world_config: "WorldConfig | dict | None" = None) -> dict:
    """Generate a city of ``persons`` people as of ``as_of`` (+ ``days`` daily deltas) and write its feeds
    and ground truth.

    ``rates`` overrides default defect rates per feed, e.g. ``{"gongan.liudong": {"stale": 0.1}}``;
    ``delivery_modes`` overrides a file feed's delta-day mode (``full`` | ``delta``); ``frontdb_url`` is a
    SQLAlchemy URL for the front-end database feeds (default ``$CITYLAKE_SIM_FRONTDB_URL``, else SQLite
    files under ``sim/frontdb/``); ``world_config`` overrides the world's parameters (a
:class:`simulator.world.WorldConfig` or a dict of overrides, e.g. busier events or more organisations for a
test). Returns a summary: counts per feed, paths.
    """
    if persons < 1:
        raise ValueError("persons must be at least 1")
    if days < 0:
        raise ValueError("days must be 0 or more")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    landing, sim = out_dir / "landing", out_dir / "sim"
    contracts = {c.id: c for c in load_contracts(contracts_dir or _contracts_dir())}
    specs: list[FeedSpec] = []
    skipped: list[str] = []
    for spec in all_specs():
        if spec.contract_id in contracts:
            specs.append(spec)
        elif spec.required:
            raise ValueError(f"contracts missing for {spec.contract_id}")
        else:
            skipped.append(spec.contract_id)
    config: dict[str, FeedDefects] = defects.config_with_rates(rates)
    modes = {s.contract_id: s.delivery_mode for s in specs} | dict(delivery_modes or {})
    for cid, mode in modes.items():
        if mode not in ("full", "delta"):
            raise ValueError(f"{cid}: delivery mode must be full or delta, got {mode!r}")

    def rng(stream: str) -> random.Random:
        # Independent streams: changing one feed's rates does not reshuffle the others.
        return random.Random(f"{seed}/{stream}")

    kinds = {s.contract_id: s.sink_kind(contracts[s.contract_id]) for s in specs}
    truth = TruthWriter(sim / "truth")
    moves = Moves(days, as_of, rng("changes/moves"), **({} if move_rate is None else {"rate": move_rate}))
    report = _Progress(persons, days, persons >= PROGRESS_FROM if progress is None else progress)
    lasting: dict[str, object] = {}  # API stores and databases: one sink across all days
    open_sinks: dict[str, object] = {}
    feeds: dict[str, dict] = {}
    counts = {"grids": 0, "households": 0, "houses": 0, "persons": 0, "floating": 0}
    world: World | None = None
    builder: WorldBuilder | None = None
    vital_state: VitalState | None = None
    vital: dict[dt.date, list[dict]] = {}
    try:
        for spec in specs:
            c = contracts[spec.contract_id]
            if kinds[c.id] == "api":
                store = sim / "api" / "shuju" / "workorders.jsonl" if c.id == "shuju.hotline" else None
                lasting[c.id] = ApiStoreSink(c, sim, truth, store=store)
            elif kinds[c.id] == "db":
                from simulator.frontdb import DbSink, resolve_url

                lasting[c.id] = DbSink(c, resolve_url(frontdb_url, sim, c.dept), truth)
        for day in range(days + 1):
            date = as_of + dt.timedelta(days=day)
            if day > 0:
                # One replay of the world's vital changes for every feed: deaths, births and moves reported
                # by 卫健, 民政, 公安 … name the same persons. A delivery reports the day before its date.
                happened = date - dt.timedelta(days=1)
                vital_state = vital_state or VitalState(world)
                vital[happened] = day_changes(vital_state, happened, random.Random(f"{seed}/world/vital/{happened}"))
                truth.add_rows("vital_changes", world_rows.SCHEMAS["vital_changes"], vital[happened])
            fake = Faker("zh_CN")
            fake.seed_instance(seed)
            population = Population(rng("people"), fake, CityMap(rng("geography")), as_of)
            if day == 0:
                builder = WorldBuilder(seed, as_of, config=world_config, ids=population.ids)
            states = []
            for spec in specs:
                c = contracts[spec.contract_id]
                env = FeedEnv(as_of, c.reverify_days, spec.date_format, spec.timestamp_format)
                st = FeedState(spec, c, config[c.id], env, rng(c.id))
                kind = kinds[c.id]
                if c.id in lasting:
                    lasting[c.id].day = day
                    st.counters["sink"] = lasting[c.id]
                else:
                    options = spec.sink_options(c, date) if spec.sink_options else {}
                    cls = {"csv": writers.CsvSink, "jsonl": writers.JsonLinesSink, "json": writers.JsonDocSink,
                           "xml": writers.XmlSink, "xlsx": writers.XlsxSink, "xls": writers.XlsSink}[kind]
                    name = _file_name(c, date, FILE_EXT[kind] if spec.sink else None)
                    sink = cls(c, landing, name, truth, config[c.id].rates.get("duplicate", 0),
                               rng(f"{c.id}/dup"), day=day, **_byte_defects(config[c.id], rng(f"{c.id}/bytes/{day}")),
                               **options)
                    open_sinks[c.id] = sink
                    st.counters["sink"] = sink
                states.append(st)

            grid_specs = [st for st in states if st.spec.records is not None]
            left, index = persons, 0
            while left > 0:
                grid = population.grid(left)
                people = grid.persons
                left -= len(people)
                # Delta days regenerate the same grids in the same order: the world's summary is day 0's.
                info = builder.add_grid(grid) if day == 0 else world.grids[index]
                index += 1
                ctx = GridContext(grid, people, day, date, as_of, world_grid=info, world=world if day else None,
                                  vital=vital)
                if day == 0:
                    _grid_truth(truth, grid, people, counts)
                else:
                    moves.apply(ctx)
                for st in grid_specs:
                    recs = st.spec.records(ctx, st)
                    ctx.records[st.contract.id] = recs
                    delta_only = day > 0 and (kinds[st.contract.id] in ("api", "db")
                                              or modes[st.contract.id] == "delta")
                    sink = st.counters["sink"]
                    for rec in recs:
                        if not delta_only or st.spec.changed(rec, ctx):
                            sink.write(rec)
                if day == 0:
                    for row in moves.plan_grid(ctx):
                        truth.changes.add(row)
                report.update(day, persons - left)
            if day == 0:
                world = builder.finish()
                builder = None
                _world_truth(truth, world, counts)
            _world_day_truth(truth, world, day, date)
            for st in states:
                if st.spec.world_records is None:
                    continue
                kind = kinds[st.contract.id]
                wctx = WorldContext(world, day, date, as_of,
                                    delta_only=day > 0 and (kind in ("api", "db") or modes[st.contract.id] == "delta"),
                                    vital=vital)
                sink = st.counters["sink"]
                for rec in st.spec.world_records(wctx, st):
                    sink.write(rec)
            for cid in list(open_sinks):
                feeds.setdefault(cid, {"days": []})["days"].append(open_sinks.pop(cid).close())
        for cid, sink in lasting.items():
            feeds[cid] = sink.close()
        for cid, summary in feeds.items():
            if "days" in summary:
                first = summary["days"][0]
                feeds[cid] = {**first, "days": summary["days"]}
        _write_api_registry(sim, contracts, lasting, days, as_of)
        truth.write_config({
            "seed": seed, "persons": persons, "as_of": as_of.isoformat(), "days": days,
            "rates": {cid: dict(sorted(f.rates.items())) for cid, f in sorted(config.items())},
            "delivery_modes": dict(sorted(modes.items())),
            "defect_kinds": {k.name: {"rule": k.rule, "doc": k.doc} for k in defects.KINDS.values()},
        })
        truth.close()
        truth = None
        report.update(days, persons, final=True)
    except BaseException:
        for sink in [*open_sinks.values(), *lasting.values()]:
            sink.abort()
        if truth is not None:
            truth.abort()
        raise
    return {
        "out_dir": str(out_dir),
        "landing_dir": str(landing),
        "sim_dir": str(sim),
        "truth_dir": str(sim / "truth"),
        "seed": seed,
        "as_of": as_of.isoformat(),
        "days": days,
        **counts,
        "feeds": feeds,
        "feeds_without_contract": skipped,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _byte_defects(feed: FeedDefects, rng: random.Random) -> dict:
    """The writer's share of the damage: mojibake per record, a truncated last line per file."""
    out: dict = {}
    if feed.rates.get("mojibake", 0) > 0:
        out["mojibake_rate"] = feed.rates["mojibake"]
    if feed.rates.get("truncated_last_line", 0) > 0:
        out["truncate_last"] = rng.random() < feed.rates["truncated_last_line"]
    return out


def _grid_truth(truth: TruthWriter, grid, people, counts: dict) -> None:
    counts["grids"] += 1
    counts["households"] += len(grid.households)
    counts["houses"] += len(grid.houses)
    counts["persons"] += len(people)
    counts["floating"] += sum(p.population_type != "户籍" for p in people)
    for p in people:
        truth.persons.add({
            "person_key": p.person_key, "id_number": p.id_number, "name": p.name, "sex": p.sex,
            "birth_date": p.birth_date, "phone": p.phone, "population_type": p.population_type,
            "household_id": p.household_id, "relation_to_head": p.relation, "house_id": p.house.house_id,
            "division_code": p.house.division_code, "grid_code": p.house.grid_code,
        })
    for h in grid.houses:
        truth.houses.add({
            "house_id": h.house_id, "division_code": h.division_code, "district_name": h.district_name,
            "street": h.street, "door_number": str(h.door), "compound": h.compound,
            "building": str(h.building), "unit": "" if h.unit is None else str(h.unit), "room": h.room,
            "address": standard_address(h), "address_key": h.address_key, "grid_code": h.grid_code,
            "owner_person_key": grid.owners[h.house_id].person_key,
            "is_rented": h.house_id in grid.rented, "is_vacant": h.house_id in grid.vacant,
        })


def _world_truth(truth: TruthWriter, world: World, counts: dict) -> None:
    """The as-of world's truth tables, in the order ``truth_rows`` gives (indicators reuse the events' tally)."""
    for name, (schema, rows) in world_rows.truth_rows(world).items():
        counts[f"world_{name}"] = truth.add_rows(name, schema, rows)


def _world_day_truth(truth: TruthWriter, world: World, day: int, date: dt.date) -> None:
    """What each day adds to the world: camera status (every day), the events that moved (delta days)."""
    tables = world_rows.day_tables(world, date)
    schema, rows = tables["camera_status"]
    truth.add_rows("camera_status", schema, rows)
    if day > 0:
        schema, rows = tables["event_updates"]
        truth.add_rows("event_updates", schema, rows)


def _write_api_registry(sim: Path, contracts: dict[str, Contract], lasting: dict, days: int,
                        as_of: dt.date) -> None:
    """What the API server serves: one endpoint per API feed (path, store, watermark, key)."""
    endpoints = []
    for cid, sink in sorted(lasting.items()):
        if isinstance(sink, ApiStoreSink):
            c = contracts[cid]
            endpoint = {"contract_id": cid, "path": c.delivery.api_path, "store": sink.relative,
                        "watermark_field": sink.watermark_field, "key_field": sink.key_field}
            if len(c.primary_key) > 1:
                endpoint["key_fields"] = [c.column(k).source for k in c.primary_key]
            if c.delivery.records_field != "data.records":
                endpoint["records_field"] = c.delivery.records_field
                endpoint["total_field"] = c.delivery.total_field
            endpoints.append(endpoint)
    doc = {"days": days, "dates": [(as_of + dt.timedelta(days=d)).isoformat() for d in range(days + 1)],
           "endpoints": endpoints}
    write_text_atomic(sim / "api" / "registry.json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
