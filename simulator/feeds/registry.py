"""The feed registry: each department module declares its feeds as :class:`FeedSpec` objects and
``simulator.city`` runs them all the same way.

Adding a department feed:
1. write its contract (``contracts/<dept>/<feed>.yaml``: delivery kind/format/path decide the sink);
2. in ``simulator/feeds/<dept>.py`` write a ``records(ctx, state) -> list[Record]`` function that draws the
   grid's records (``ctx.people``, ``ctx.grid``) with ``state.rng`` and damages them with
   ``state.defects``/``state.env``, with its default defect rates on the spec (``defects=FeedDefects(…)``;
   the first feeds keep theirs in ``simulator.defects.DEFAULTS``);
3. declare ``FEEDS = (FeedSpec("<dept>.<feed>", records, ...),)`` in that module and list the module in
   ``simulator.feeds.MODULES`` (one explicit list, so the order of feeds — and so every file's bytes — is
   fixed and reviewable; discovery by import order would not be).

The sink is chosen from the contract (``delivery.kind`` api/db, else ``delivery.format``), or forced with
``sink=``; ``sink_options(contract, date)`` passes form details (titles, sheet layout, line ends …).
World-level feeds declare ``world_records(wctx, state)`` instead of ``records``: it gets the finished
:class:`simulator.world.World` (``wctx.world``) and the day, and yields the day's records (on delta days
with ``wctx.delta_only`` only the day's changes). Per-grid feeds see the grid's world summary as
``ctx.world_grid``.
A spec whose contract is absent is skipped (reported in the summary) unless ``required``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any, Callable

from ingest.contracts import Contract
from simulator.defects import FeedDefects, FeedEnv, Record

SINK_KINDS = ("csv", "jsonl", "json", "xml", "xlsx", "xls", "api", "db")
FILE_EXT = {"csv": "csv", "jsonl": "jsonl", "json": "json", "xml": "xml", "xlsx": "xlsx", "xls": "xls"}


@dataclass
class GridContext:
    """One grid of the city on one simulated day."""

    grid: Any  # simulator.people.GridPopulation
    people: list  # its persons (after the day's moves are applied)
    day: int  # 0 = the full load
    date: dt.date  # the day's date (as_of + day)
    as_of: dt.date  # the full load's date
    moved: dict[str, Any] = field(default_factory=dict)  # person_key → the Move in force on this day
    changed: set[str] = field(default_factory=set)  # entity keys that changed on this very day
    records: dict[str, list[Record]] = field(default_factory=dict)  # contract id → records drawn so far
    world_grid: Any = None  # simulator.world.grids.GridInfo: the grid's village, std code, workers, places
    world: Any = None  # the finished simulator.world.World on delta days (None during day 0's grid pass)
    # The world's vital changes (simulator.world.vital: births, deaths, moves, floating registrations) by the
    # date they happened, from the as-of date to the day before ``date``: a delta day's delivery reports
    # yesterday's, ``vital[date - 1 day]``. Empty on day 0 (the full load is the as-of city).
    vital: dict = field(default_factory=dict)


@dataclass
class WorldContext:
    """The whole world on one simulated day, for feeds drawn from it rather than grid by grid."""

    world: Any  # simulator.world.World
    day: int  # 0 = the full load
    date: dt.date  # the day's date (as_of + day)
    as_of: dt.date
    delta_only: bool = False  # an API/DB feed or a delta-mode file on a delta day: only what changed that day
    vital: dict = field(default_factory=dict)  # as GridContext.vital


@dataclass
class FeedState:
    """One feed during one day's run: its contract, rates, formats, RNG stream and counters."""

    spec: "FeedSpec"
    contract: Contract
    defects: FeedDefects
    env: FeedEnv
    rng: random.Random
    counters: dict[str, Any] = field(default_factory=dict)


def default_changed(rec: Record, ctx: GridContext) -> bool:
    """Delta rule for entity feeds: the record's entity changed on this day."""
    return rec.entity_key in ctx.changed


@dataclass(frozen=True)
class FeedSpec:
    contract_id: str
    records: Callable[[GridContext, FeedState], list[Record]] | None = None
    # World-level feeds (divisions, organisations, cameras, events): run once per day after the grid loop,
    # streaming into the same sinks; ``records`` is then None.
    world_records: Callable[[WorldContext, FeedState], Iterable[Record]] | None = None
    date_format: str = "%Y-%m-%d"
    timestamp_format: str = "%Y-%m-%d %H:%M:%S"
    sink: str | None = None  # None: from the contract
    sink_options: Callable[[Contract, dt.date], dict] | None = None
    # File feeds on delta days: "full" = a complete dated snapshot each day, "delta" = only the records
    # whose entity changed that day. The contract should say which (customProperty deliveryMode).
    delivery_mode: str = "full"
    changed: Callable[[Record, GridContext], bool] = default_changed
    required: bool = False
    # Default defect rates and target columns (``simulator.defects.default_config`` collects them).
    defects: FeedDefects | None = None

    def sink_kind(self, contract: Contract) -> str:
        if self.sink:
            return self.sink
        d = contract.delivery
        kind = d.kind if d.kind in ("api", "db") else {"ndjson": "jsonl"}.get(d.format, d.format)
        if kind not in SINK_KINDS:
            raise ValueError(f"{contract.id}: no simulator sink for delivery {d.kind}/{d.format}")
        return kind
