"""住建局: the housing register (房屋, one row per room, address parts in columns) and 物业小区 (one row per
compound of the register, its 物业服务企业 one of the world's enterprises; ``Spill`` keeps a day's compounds on
disk until the world pass, which jiaoti's students share).

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


# ---- shared by the feeds finished with the world ------------------------------------------------------

class Spill:
    """Records drawn grid by grid on a day, kept on disk until the world-level pass finishes them (credit
    codes of the world's companies, schools of the township): memory holds one grid's records, not the city's.
    ``Record.context`` must be picklable and small (a dict, not a Person)."""

    def __init__(self) -> None:
        import tempfile

        self._fh = tempfile.TemporaryFile()
        self.grids = 0

    def add(self, recs: list[Record]) -> None:
        import pickle

        pickle.dump(recs, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.grids += 1

    def __iter__(self):
        import pickle

        self._fh.flush()
        self._fh.seek(0)
        for _ in range(self.grids):
            yield pickle.load(self._fh)
        self._fh.close()


def spill(st) -> Spill:
    if "spill" not in st.counters:
        st.counters["spill"] = Spill()
    return st.counters["spill"]


def developers(world, rng: random.Random | None = None) -> dict[str, list[dict]]:
    """Real-estate companies per district (the world's 存续 房地产业 enterprises; any enterprise of the
    district where it has none, the city's where the district has no enterprise at all)."""
    by_district: dict[str, list[dict]] = {}
    fallback: dict[str, list[dict]] = {}
    for o in world.orgs():
        if o["category"] != "enterprise" or o["status"] != "存续":
            continue
        slim = {"uscc": o["uscc"], "name": o["name"]}
        (by_district if o["industry"] == "房地产业" else fallback).setdefault(o["district_code"], []).append(slim)
    everyone = [o for group in (*by_district.values(), *fallback.values()) for o in group]
    return {d: by_district.get(d) or fallback.get(d) or everyone for d in {g.district_code for g in world.grids}}


def compound_of(h: House) -> tuple[str, int, str]:
    return h.street, h.door, h.compound


def built_year(compound_id: str, as_of) -> int:
    """When a compound was completed: a stable draw per compound, ~9% within the last two years (new-home
    sales: the 网签 feed's projects), the rest 1985 onwards."""
    import zlib

    u = zlib.crc32(f"zhujian/built/{compound_id}".encode()) / 2**32
    if u < 0.09:
        return as_of.year - (0 if u < 0.04 else 1)
    return 1985 + int((u - 0.09) / 0.91 * (as_of.year - 1 - 1985))


def compounds(grid) -> list[tuple[str, list[House]]]:
    """The grid's compounds in order, keyed ``XQ`` + the first room's house number (unique, stable)."""
    groups: dict[tuple, list[House]] = {}
    for h in grid.houses:
        groups.setdefault(compound_of(h), []).append(h)
    return [(f"XQ{rooms[0].house_id[1:]}", rooms) for rooms in groups.values()]


# ---- 物业小区 -----------------------------------------------------------------------------------------

XIAOQU_TITLE = "宜春市住宅小区及物业服务信息表（导出日期：{date:%Y-%m-%d}）"
WRONG_YES_NO = ("有", "无", "Y", "已成立")


def _xiaoqu_grid(ctx, st) -> list[Record]:
    """Draw the grid's compounds (kept until the world pass gives them their 物业服务企业)."""
    from simulator.world.persons import phone

    rng = st.rng
    recs = []
    for cid, rooms in compounds(ctx.grid):
        first = rooms[0]
        year = built_year(cid, st.env.as_of)
        managed = year >= 2000 or rng.random() < 0.6  # older compounds often have no 物业 (街道 托管)
        recs.append(Record(values={
            "compound_id": cid, "name": first.compound, "division_code": first.division_code,
            "street": first.street, "door_number": f"{first.door}号",
            "buildings": str(len({h.building for h in rooms})), "households": str(len(rooms)),
            "floor_area": f"{sum(h.floor_area for h in rooms):.2f}", "pm_company": "", "pm_uscc": "",
            "pm_phone": phone(rng) if managed else "", "has_owners_committee": "是" if rng.random() < 0.3 else "否",
            "built_year": str(year),
        }, entity_key=cid, context={"managed": managed, "district": first.division_code}))
    spill(st).add(recs)
    return []


def _xiaoqu_world(wctx, st):
    from simulator.feeds import shichang
    from simulator.feeds.world_damage import damage

    rng, env = st.rng, st.env
    companies = developers(wctx.world)

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "missing_required":
            return ""
        if kind == "bad_uscc":
            return shichang.bad_uscc(rec.values[column], rng)
        if kind == "bad_date":  # a year the 建成年份 rule cannot read, or one still to come
            return rng.choice(("不详", f"{rec.values[column]}年", f"{rec.values[column]}.0",
                               str(env.as_of.year + rng.randint(1, 4))))
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_YES_NO)
        raise ValueError(f"defect {kind} does not apply to 物业小区")

    def eligible(kind: str, column: str, rec: Record) -> bool:
        return kind not in ("bad_uscc", "bad_phone") or bool(rec.values[column])

    for recs in spill(st):
        for rec in recs:
            pool = companies.get(rec.context["district"]) or ()
            if rec.context["managed"] and pool:
                pm = pool[random.Random(f"{wctx.world.seed}/zhujian/pm/{rec.entity_key}").randrange(len(pool))]
                rec.values["pm_company"], rec.values["pm_uscc"] = pm["name"], pm["uscc"]
            elif not rec.context["managed"]:
                rec.values["pm_phone"] = ""
        damage(recs, st.defects, rng, mutate, eligible)
        yield from recs


def _xiaoqu_options(contract, date) -> dict:
    import datetime as dt

    return {"title": XIAOQU_TITLE.format(date=date), "created": dt.datetime.combine(date, dt.time(3)),
            "creator": CREATOR, "numeric": ("buildings", "households", "floor_area")}


FEEDS = FEEDS + (
    # ≈92% valid: the 物业管理平台 is filled in by 物业 companies and 街道 staff, and checked loosely.
    FeedSpec("zhujian.xiaoqu", _xiaoqu_grid, world_records=_xiaoqu_world, date_format="%Y",
             sink_options=_xiaoqu_options,
             defects=defects.FeedDefects(
                 rates={"bad_division": 0.015, "missing_required": 0.015, "bad_uscc": 0.020, "bad_date": 0.020,
                        "bad_phone": 0.020, "wrong_code": 0.020, "duplicate": 0.010},
                 columns={"bad_division": ("division_code",), "missing_required": ("name", "street"),
                          "bad_uscc": ("pm_uscc",), "bad_date": ("built_year",), "bad_phone": ("pm_phone",),
                          "wrong_code": ("has_owners_committee",), "duplicate": ("compound_id",)})),
)
