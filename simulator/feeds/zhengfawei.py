"""政法委 网格化服务管理平台 (REST API): the world's grids (网格) and grid workers (网格员).

Grids and workers do not change on delta days in the world yet, so the API publishes them on day 0 only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from simulator import defects
from simulator.defects import Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import bad_stats_code, damage

TS = "%Y-%m-%d %H:%M:%S"
GRID_TYPES = {True: "城市社区网格", False: "农村网格"}
WRONG_GRID_TYPES = ("社区网格", "村网格", "3", "其他")
WORKER_TYPES = {"专职网格员": "专职", "兼职网格员": "兼职"}
WRONG_SEX = ("男", "女", "0", "9")


def _updated(st: FeedState) -> str:
    return defects.healthy_timestamp(st.env, st.rng).strftime(TS)


def wangge_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    if wctx.day > 0:
        return iter(())
    world, rng = wctx.world, st.rng
    recs = []
    for g in world.grids:
        village = world.village_by_code[g.village_code]
        area = rng.uniform(0.15, 0.8) if g.is_urban else rng.uniform(2.0, 15.0)
        recs.append(Record(values={
            "grid_code": g.grid_code, "grid_name": f"{village.name}第{int(g.grid_std_code[-3:])}网格",
            "grid_type": GRID_TYPES[g.is_urban], "village_code": g.village_code, "division_code": g.district_code,
            "household_count": str(g.households), "population": str(g.persons), "area_km2": f"{area:.2f}",
            "is_active": "1", "updated_at": _updated(st),
        }, entity_key=g.grid_code, context=g))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_stats_code":
            return bad_stats_code(rec.values[column], rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_GRID_TYPES)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 网格")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


def wanggeyuan_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    if wctx.day > 0:
        return iter(())
    rng, env = st.rng, st.env
    recs = []
    for w in wctx.world.grid_workers():
        recs.append(Record(values={
            "worker_id": w["worker_id"], "id_number": w["id_number"], "name": w["name"],
            "sex": "1" if w["sex"] == "男" else "2", "phone": w["phone"], "grid_code": w["grid_code"],
            "worker_type": WORKER_TYPES[w["role"]], "appointed_date": w["start_date"].strftime("%Y-%m-%d"),
            "is_active": "在岗", "updated_at": _updated(st),
        }, entity_key=w["person_key"] or w["id_number"], context=w))

    def eligible(kind: str, column: str, rec: Record) -> bool:
        # a first-generation number exists only for people born before the 18-digit numbers (1999)
        return kind != "legacy_15_digit" or rec.context["birth_date"].year < 1985

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
            return defects.bad_id(kind, rec.values[column], rng)
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "bad_date":
            return defects.bad_date(rec.context["start_date"], env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_SEX)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 网格员")

    damage(recs, st.defects, rng, mutate, eligible)
    return iter(recs)


FEEDS = (
    FeedSpec("zhengfawei.wangge", world_records=wangge_records, timestamp_format=TS, delivery_mode="delta"),
    FeedSpec("zhengfawei.wanggeyuan", world_records=wanggeyuan_records, timestamp_format=TS, delivery_mode="delta"),
)
