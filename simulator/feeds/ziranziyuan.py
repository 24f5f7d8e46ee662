"""自然资源局: 不动产登记 of the rooms (实有房屋 basic data), a GB18030 CSV, one row per 不动产单元.

The 28-character 不动产单元号 (GB/T 37346) is built from the room: county code + 地籍区/地籍子区 (the grid's
number) + 宗地特征码 GB (国有建设用地, 房屋) + 宗地顺序号 (the compound's number in the grid) + F (房屋) +
定着物单元号 (building, unit, room). Rooms whose 住建 record was damaged are left out, so every delivered
location resolves exactly when no defect was put on it.
"""

from __future__ import annotations

import datetime as dt
import random

from simulator import defects
from simulator.address import standard_address
from simulator.defects import Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.dates import add_years

DATE = "%Y%m%d"
TIMESTAMP = "%Y%m%d%H%M%S"
_CO = (("单独所有", 0.55), ("共同共有", 0.42), ("按份共有", 0.03))


def unit_id(h, parcel: int) -> str:
    unit = h.unit or 0
    return f"{h.division_code}{h.grid_code[6:12]}GB{parcel:05d}F{h.building:02d}{unit:02d}{int(h.room):04d}"


def bad_unit_id(good: str, rng: random.Random) -> str:
    """A 不动产单元号 that breaks GB/T 37346: no parcel number, a retired county, a W with a unit, 27 chars."""
    return rng.choice((
        good[:14] + "00000" + good[19:],
        "362201" + good[6:],
        good[:19] + "W" + good[20:],
        good[:27],
    ))


def _budongchan(ctx, st) -> list[Record]:
    env, rng, grid = st.env, st.rng, ctx.grid
    damaged = {r.entity_key for r in ctx.records.get("zhujian.fangwu", ()) if r.defects}
    parcels: dict[tuple[str, int], int] = {}
    recs = []
    for h in grid.houses:
        parcel = parcels.setdefault((h.street, h.door), len(parcels) + 1)
        if h.house_id in damaged:
            continue
        owner = grid.owners[h.house_id]
        registered = max(add_years(owner.birth_date, 18), env.as_of - dt.timedelta(days=rng.randint(60, 20 * 365)))
        registered = min(registered, env.as_of - dt.timedelta(days=1))
        updated = defects.healthy_timestamp(env, rng)
        if updated.date() < registered:
            updated = dt.datetime.combine(registered, dt.time(10)) + dt.timedelta(seconds=rng.randrange(6 * 3600))
        recs.append(Record(
            values={
                "unit_id": unit_id(h, parcel),
                "certificate_no": f"赣({registered:%Y})宜春市不动产权第{rng.randrange(1, 10**7):07d}号",
                "location": standard_address(h),
                "division_code": h.division_code,
                "right_type": "国有建设用地使用权/房屋所有权",
                "usage": h.usage,
                "floor_area": f"{h.floor_area:.2f}",
                "owner_name": owner.name,
                "owner_id_number": owner.id_number,
                "co_ownership": rng.choices([v for v, _ in _CO], weights=[w for _, w in _CO])[0],
                "registered_date": registered.strftime(DATE),
                "updated_at": updated.strftime(TIMESTAMP),
            },
            entity_key=h.house_id,
            context=h,
        ))
    owner_of = {h.house_id: grid.owners[h.house_id] for h in grid.houses}
    damage.inject(recs, st.defects, env, rng, person_of=lambda rec, col: owner_of[rec.entity_key],
                  house_of=lambda rec, col: rec.context)
    return recs


FEEDS = (
    FeedSpec("ziranziyuan.budongchan", _budongchan, date_format=DATE, timestamp_format=TIMESTAMP),
)
