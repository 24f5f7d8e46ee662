"""住建局: the housing register, one row per room, address parts in columns.

Defects that touch a row's validity (bad owner ID, missing 户室号, bad 行政区划, stale) are put on vacant
rooms only. A resident's address then resolves whether the pipeline's register holds every delivered
room or only the valid ones, so the residents' ground truth does not depend on that choice.
"""

from __future__ import annotations

import random

from simulator import defects
from simulator.defects import FeedEnv, Record
from simulator.feeds.registry import FeedSpec
from simulator.geography import House
from simulator.people import Person

DATE = "%Y-%m-%d"
TITLE = "宜春市房屋信息登记表（导出日期：{as_of:%Y-%m-%d}）"
CREATOR = "宜春市住房和城乡建设局"


def fangwu_record(h: House, owner: Person, rented: bool, env: FeedEnv, rng: random.Random) -> Record:
    return Record(
        values={
            "house_id": h.house_id,
            "division_code": h.division_code,
            "street": h.street,
            "door_number": f"{h.door}号",
            "compound": h.compound,
            "building": f"{h.building}栋",
            "unit": "" if h.unit is None else f"{h.unit}单元",
            "room": f"{h.room}室",
            "usage": h.usage,
            "floor_area": f"{h.floor_area:.2f}",
            "owner_id_number": owner.id_number,
            "owner_name": owner.name,
            "is_rented": "是" if rented else "否",
            "grid_code": h.grid_code,
            "updated_at": defects.healthy_timestamp(env, rng).strftime(DATE),
        },
        entity_key=h.house_id,
        context=h,
    )


def inject(records: list[Record], vacant: set[str], feed: defects.FeedDefects, env: FeedEnv,
           rng: random.Random) -> None:
    """Draw and apply the register's defects to one chunk (a grid) of rooms."""
    defects.plan(records, feed, rng, lambda kind, column, rec: rec.entity_key in vacant)
    for rec in records:
        for kind, column in rec.planned:
            if kind == "bad_check_digit":
                value = defects.bad_id(kind, rec.values[column], rng)
            elif kind == "missing_required":
                value = ""
            elif kind == "bad_division":
                value = defects.bad_division(rng)
            elif kind == "stale":
                value = defects.stale_timestamp(env, rng).strftime(DATE)
            else:
                raise ValueError(f"defect {kind} does not apply to the housing register")
            rec.values[column] = value
            rec.defects.append(kind)
            rid = defects.rule_id(kind, column)
            if rid:
                rec.broken.add(rid)


# ---- feed registry ----------------------------------------------------------------------------------

def _fangwu(ctx, st) -> list[Record]:
    grid = ctx.grid
    recs = [fangwu_record(h, grid.owners[h.house_id], h.house_id in grid.rented, st.env, st.rng)
            for h in grid.houses]
    inject(recs, grid.vacant, st.defects, st.env, st.rng)
    return recs


def _xlsx_options(contract, date) -> dict:
    import datetime as dt

    return {"title": TITLE.format(as_of=date), "created": dt.datetime.combine(date, dt.time(3)),
            "creator": CREATOR, "numeric": ("floor_area",)}


FEEDS = (
    FeedSpec("zhujian.fangwu", _fangwu, date_format=DATE, timestamp_format=DATE, sink_options=_xlsx_options,
             required=True),
)
