"""Simulate a city and render it as its departments' feeds, with the ground truth beside them.

``simulate(out_dir, persons, seed, as_of)`` writes
- ``out_dir/landing/gongan/hukou/hukou_<YYYYMMDD>.csv``   户籍人口 (GBK CSV)
- ``out_dir/landing/gongan/liudong/liudong_<YYYYMMDD>.csv`` 流动人口 (GBK CSV)
- ``out_dir/landing/zhujian/fangwu/fangwu_<YYYYMMDD>.xlsx`` 房屋 (xlsx)
- ``out_dir/sim/api/shuju/workorders.jsonl``  the 12345 API's backing data (served by simulator.api_server)
- ``out_dir/sim/truth/{persons,houses,records}.parquet`` and ``config.json``

The city is generated grid by grid; each grid's records are drawn, damaged and written before the next
grid is made, so memory grows with the ID registry and the work orders, not with the files.
Same seed and as_of ⇒ byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import itertools
import random
import time
from pathlib import Path

from faker import Faker

from ingest.contracts import Contract, load_contracts
from simulator import defects
from simulator.address import standard_address
from simulator.defects import FeedDefects, FeedEnv
from simulator.feeds import gongan, shuju, zhujian
from simulator.feeds.writers import CsvSink, XlsxSink
from simulator.geography import CityMap
from simulator.people import HUKOU, Population
from simulator.truth import TruthWriter

FEEDS = ("gongan.hukou", "gongan.liudong", "zhujian.fangwu", "shuju.hotline")


def _contracts_dir() -> Path:
    from citylake.config import settings

    return settings().contracts_dir


def _file_name(contract: Contract, as_of: dt.date) -> str:
    ext = contract.delivery.path.rsplit(".", 1)[1]
    name = f"{contract.feed}_{as_of:%Y%m%d}.{ext}"
    folder = contract.delivery.path.rsplit("/", 1)[0]
    if not fnmatch.fnmatch(f"{folder}/{name}", contract.delivery.path):
        raise ValueError(f"{name} would not match {contract.id}'s path {contract.delivery.path}")
    return name


def simulate(out_dir: Path, persons: int, seed: int, as_of: dt.date,
             rates: dict[str, dict[str, float]] | None = None,
             contracts_dir: Path | None = None) -> dict:
    """Generate a city of ``persons`` people as of ``as_of`` and write its feeds and ground truth.

    ``rates`` overrides default defect rates per feed, e.g. ``{"gongan.liudong": {"stale": 0.1}}``.
    Returns a summary: counts per feed, paths.
    """
    if persons < 1:
        raise ValueError("persons must be at least 1")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    landing, sim = out_dir / "landing", out_dir / "sim"
    contracts = {c.id: c for c in load_contracts(contracts_dir or _contracts_dir())}
    missing = set(FEEDS) - set(contracts)
    if missing:
        raise ValueError(f"contracts missing for {sorted(missing)}")
    config: dict[str, FeedDefects] = defects.config_with_rates(rates)

    def rng(stream: str) -> random.Random:
        # Independent streams: changing one feed's rates does not reshuffle the others.
        return random.Random(f"{seed}/{stream}")

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    population = Population(rng("people"), fake, CityMap(rng("geography")), as_of)

    def env(cid: str, date_format: str, timestamp_format: str = gongan.TIMESTAMP) -> FeedEnv:
        return FeedEnv(as_of, contracts[cid].reverify_days, date_format, timestamp_format)

    env_hukou = env("gongan.hukou", gongan.HUKOU_DATE)
    env_liudong = env("gongan.liudong", gongan.LIUDONG_DATE)
    env_fangwu = env("zhujian.fangwu", zhujian.DATE, zhujian.DATE)
    r_hukou, r_liudong, r_fangwu, r_hotline = rng("gongan.hukou"), rng("gongan.liudong"), rng("zhujian.fangwu"), rng("shuju.hotline")

    truth = TruthWriter(sim / "truth")
    sinks = {}
    try:
        sinks["gongan.hukou"] = CsvSink(contracts["gongan.hukou"], landing, _file_name(contracts["gongan.hukou"], as_of),
                                        truth, config["gongan.hukou"].rates.get("duplicate", 0), rng("gongan.hukou/dup"))
        sinks["gongan.liudong"] = CsvSink(contracts["gongan.liudong"], landing,
                                          _file_name(contracts["gongan.liudong"], as_of), truth,
                                          config["gongan.liudong"].rates.get("duplicate", 0), rng("gongan.liudong/dup"))
        sinks["zhujian.fangwu"] = XlsxSink(contracts["zhujian.fangwu"], landing,
                                           _file_name(contracts["zhujian.fangwu"], as_of), truth,
                                           config["zhujian.fangwu"].rates.get("duplicate", 0), rng("zhujian.fangwu/dup"),
                                           title=zhujian.TITLE.format(as_of=as_of),
                                           created=dt.datetime.combine(as_of, dt.time(3)), creator=zhujian.CREATOR,
                                           numeric=("floor_area",))
        registration_seq = itertools.count(1)
        order_seq = itertools.count(1)
        orders: list[dict] = []
        hotline_valid = 0
        hotline = contracts["shuju.hotline"]
        hotline_source = hotline.delivery.api_path
        hotline_severity = {r.rule_id: r.severity for r in hotline.rules}
        counts = {"grids": 0, "households": 0, "houses": 0, "persons": 0, "floating": 0}

        left = persons
        while left > 0:
            grid = population.grid(left)
            people = grid.persons
            left -= len(people)
            counts["grids"] += 1
            counts["households"] += len(grid.households)
            counts["houses"] += len(grid.houses)
            counts["persons"] += len(people)

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

            hukou_recs = [gongan.hukou_record(p, env_hukou, r_hukou) for p in people if p.population_type == HUKOU]
            gongan.inject(hukou_recs, config["gongan.hukou"], env_hukou, r_hukou)
            for rec in hukou_recs:
                sinks["gongan.hukou"].write(rec)

            floating = [p for p in people if p.population_type != HUKOU]
            counts["floating"] += len(floating)
            liudong_recs = [gongan.liudong_record(p, f"ZZ{p.house.division_code}{next(registration_seq):08d}",
                                                  env_liudong, r_liudong) for p in floating]
            gongan.inject(liudong_recs, config["gongan.liudong"], env_liudong, r_liudong)
            for rec in liudong_recs:
                sinks["gongan.liudong"].write(rec)

            fangwu_recs = [zhujian.fangwu_record(h, grid.owners[h.house_id], h.house_id in grid.rented,
                                                 env_fangwu, r_fangwu) for h in grid.houses]
            zhujian.inject(fangwu_recs, grid.vacant, config["zhujian.fangwu"], env_fangwu, r_fangwu)
            for rec in fangwu_recs:
                sinks["zhujian.fangwu"].write(rec)

            order_recs = shuju.work_orders(people, as_of, lambda: next(order_seq), r_hotline)
            shuju.inject(order_recs, config["shuju.hotline"], r_hotline)
            for rec in order_recs:
                orders.append({c.source: (rec.values.get(c.name) or None) for c in hotline.columns})
                is_valid = not any(hotline_severity[r] == "error" for r in rec.broken)
                hotline_valid += is_valid
                truth.records.add({
                    "contract_id": hotline.id, "source": hotline_source, "row_number": None,
                    "record_key": rec.values["work_order_id"], "entity_key": rec.entity_key,
                    "defects": list(rec.defects), "broken_rules": sorted(rec.broken),
                    "is_valid": is_valid,
                })

        feeds = {cid: sink.close() for cid, sink in sinks.items()}
        store = shuju.write_store(sim, orders)
        feeds["shuju.hotline"] = {"path": store.relative_to(out_dir).as_posix(), "records": len(orders),
                                  "valid": hotline_valid, "api_path": hotline_source}
        truth.write_config({
            "seed": seed, "persons": persons, "as_of": as_of.isoformat(),
            "rates": {cid: dict(sorted(f.rates.items())) for cid, f in sorted(config.items())},
            "defect_kinds": {k.name: {"rule": k.rule, "doc": k.doc} for k in defects.KINDS.values()},
        })
        truth.close()
        truth = None
    except BaseException:
        for sink in sinks.values():
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
        **counts,
        "feeds": feeds,
        "seconds": round(time.perf_counter() - started, 2),
    }
