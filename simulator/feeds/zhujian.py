"""住建局: the housing register (房屋, one row per room, address parts in columns), 物业小区 (one row per
compound of the register, its 物业服务企业 one of the world's enterprises; ``Spill`` keeps a day's compounds on
disk until the world pass, which jiaoti's students share) and 商品房网签备案 (the sales contracts of the rooms
of the compounds completed in the last two years, their owners the buyers; delta deliveries).

Defects that touch a row's validity (bad owner ID, missing 户室号, bad 行政区划, stale) are put on vacant
rooms only. A resident's address then resolves whether the pipeline's register holds every delivered
room or only the valid ones, so the residents' ground truth does not depend on that choice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from simulator import defects
from simulator.dates import add_years
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


# ---- 商品房网签备案 ---------------------------------------------------------------------------------------
# The 房产交易系统's filings for the current projects: every room of a compound completed in the last two
# years (``built_year``), bought by the room's owner in the register, from a developer among the world's
# 房地产业 enterprises. Rooms whose register record is damaged are left out: a room is signed online only
# from its 楼盘表 entry, and leaving them out keeps every clean 房屋坐落 resolvable whichever register rows
# the pipeline keeps. The full load shows each contract's latest version at the as-of date; each delta
# file (dated D) the contracts filed, amended (已变更) or cancelled (已注销, then re-signed by the same buyer
# under a new 备案号) on the day before D, with that day's update time.

TS = "%Y-%m-%d %H:%M:%S"
WANGQIAN_CREATOR = "宜春市房产交易管理系统"
# 住宅 unit prices (yuan/m², 2026) by district: the city district dearest, the county-level cities next.
UNIT_PRICE = {"360902": 7200, "360981": 5800, "360982": 5600, "360983": 5700}
COUNTY_UNIT_PRICE = 4600
USAGE_PRICE = {"住宅": 1.0, "商业": 1.8, "办公": 1.2}
# Before the as-of date: ~12% of contracts amended (补充协议: price, payment terms), ~3% cancelled and
# re-signed by the same buyer (a new 备案号).
AMENDED, REFILED = 0.12, 0.03
# Delta days: a change per filed room and day far above a real city's (~0.02%), so small cities show deltas;
# of the changes, this share is a cancellation and re-signing, the rest an amendment.
DAILY_CHANGE, DAILY_REFILE = 0.01, 0.3
WRONG_STATUS = ("备案", "已签约", "注销", "1")


@dataclass
class Filing:
    """One sales contract of a room as the system shows it after some day's changes."""

    n: int  # the room's n-th contract (备案号 suffix)
    signed: dt.datetime
    price: float
    status: str
    updated: dt.datetime
    day: int  # the delivery day of its last change (0: before the as-of date)


def completed_on(compound_id: str, salt: str, as_of: dt.date) -> dt.date | None:
    """The completion date of a compound completed in the last two years, else None."""
    year = built_year(compound_id, as_of)
    if year < as_of.year - 1:
        return None
    first = dt.date(year, 1, 1)
    span = ((as_of - first).days - 1) if year == as_of.year else (dt.date(year + 1, 1, 1) - first).days
    return first + dt.timedelta(days=random.Random(f"{salt}/zhujian/wangqian/{compound_id}").randrange(max(1, span)))


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A time in office hours on ``day``."""
    return dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(seconds=rng.randrange(9 * 3600))


def room_filings(h: House, owner: Person, completed: dt.date, unit_price: float, salt: str, as_of: dt.date,
                 day: int) -> list[Filing]:
    """The room's contracts after delivery day ``day``'s changes (day 0: as at the as-of date); oldest first.
    Drawn from the room's own streams, so every day replays the same history and adds its own day."""
    rng = random.Random(f"{salt}/zhujian/wangqian/{h.house_id}")
    presale = completed - dt.timedelta(days=rng.randint(240, 720))  # 预售许可 well before completion
    last = min(completed + dt.timedelta(days=365), as_of - dt.timedelta(days=1))
    signed_day = presale + dt.timedelta(days=rng.randrange((last - presale).days + 1))
    adult = add_years(owner.birth_date, 18)
    if adult > last:
        return []
    signed = _at(max(signed_day, adult), rng)
    price = round(h.floor_area * unit_price * USAGE_PRICE.get(h.usage, 1.0) * rng.uniform(0.94, 1.06), 2)
    filings = [Filing(1, signed, price, "已备案", signed, 0)]
    u, lag = rng.random(), rng.randint(7, 400)
    changed = signed.date() + dt.timedelta(days=lag)
    if u < AMENDED + REFILED and changed < as_of:  # a change still to come is left to the delta days' draws
        _change(filings, _at(changed, rng), u < REFILED, 0, rng)
    for d in range(1, day + 1):
        dr = random.Random(f"{salt}/zhujian/wangqian/{h.house_id}/{d}")
        if dr.random() < DAILY_CHANGE:
            # the file dated as_of + d carries the changes of the day before
            _change(filings, _at(as_of + dt.timedelta(days=d - 1), dr), dr.random() < DAILY_REFILE, d, dr)
    return filings


def _change(filings: list[Filing], at: dt.datetime, refile: bool, day: int, rng: random.Random) -> None:
    """The current contract amended at ``at``, or cancelled and signed again by the same buyer."""
    current = filings[-1]
    current.updated, current.day = at, day
    if refile:
        current.status = "已注销"
        signed = at + dt.timedelta(minutes=rng.randint(10, 120))
        filings.append(Filing(current.n + 1, signed, round(current.price * rng.uniform(0.97, 1.01), 2), "已备案",
                              signed, day))
    else:
        current.status = "已变更"
        current.price = round(current.price * rng.uniform(0.97, 1.02), 2)


def unit_price(compound_id: str, division_code: str, salt: str) -> float:
    base = UNIT_PRICE.get(division_code, COUNTY_UNIT_PRICE)
    return base * random.Random(f"{salt}/zhujian/wangqian/price/{compound_id}").uniform(0.85, 1.2)


def _wangqian_grid(ctx, st) -> list[Record]:
    """Draw the grid's filings (all on day 0, the day's changes on a delta day), kept until the world pass
    gives them their developer."""
    from simulator.address import standard_address

    grid = ctx.grid
    if not grid.houses:
        return []
    # Streams seeded by the grid's first owner (the population is the seed's) and the room, not the feed's
    # RNG: every day must replay the same history, whatever the day's records drew before.
    salt = grid.owners[grid.houses[0].house_id].id_number
    damaged = {r.entity_key for r in ctx.records.get("zhujian.fangwu", ()) if r.defects}
    recs = []
    for cid, rooms in compounds(grid):
        completed = completed_on(cid, salt, ctx.as_of)
        if completed is None:
            continue
        price = unit_price(cid, rooms[0].division_code, salt)
        for h in rooms:
            if h.house_id in damaged:
                continue
            owner = grid.owners[h.house_id]
            for f in room_filings(h, owner, completed, price, salt, ctx.as_of, ctx.day):
                if ctx.day and f.day != ctx.day:
                    continue
                recs.append(Record(values={
                    "contract_no": f"YC{f.signed:%Y}{h.house_id[1:]}{f.n:02d}", "project": h.compound,
                    "developer_uscc": "", "house_address": standard_address(h), "division_code": h.division_code,
                    "building": f"{h.building}栋", "room": h.room if h.unit is None else f"{h.unit}-{h.room}",
                    "floor_area": f"{h.floor_area:.2f}", "price": f"{f.price:.2f}", "buyer_name": owner.name,
                    "buyer_id_number": owner.id_number, "buyer_phone": owner.phone,
                    "signed_date": f.signed.strftime(DATE), "status": f.status, "updated_at": f.updated.strftime(TS),
                }, entity_key=h.house_id, context={"house": h, "compound": cid, "born": owner.birth_date.year,
                                                   "signed": f.signed.date()}))
    spill(st).add(recs)
    return []


def developer_pools(world) -> dict[str, list[dict]]:
    """Developers per district: its 存续 房地产业 enterprises, else the city's (developers build across the
    city), else the district's enterprises, else the city's (a small city may have no 房地产业 at all)."""
    estate: dict[str, list[dict]] = {}
    other: dict[str, list[dict]] = {}
    for o in world.orgs():
        if o["category"] != "enterprise" or o["status"] != "存续":
            continue
        slim = {"uscc": o["uscc"], "name": o["name"]}
        (estate if o["industry"] == "房地产业" else other).setdefault(o["district_code"], []).append(slim)
    city_estate = [o for group in estate.values() for o in group]
    city_other = [o for group in other.values() for o in group]
    return {d: estate.get(d) or city_estate or other.get(d) or city_other
            for d in {g.district_code for g in world.grids}}


def _wangqian_world(wctx, st):
    """Give each project its developer (one per compound, the same every day), then damage and deliver."""
    from simulator import address
    from simulator.feeds import shichang
    from simulator.feeds.world_damage import damage

    rng, env = st.rng, st.env
    pools = developer_pools(wctx.world)

    def mutate(kind: str, column: str, rec: Record) -> str:
        value = rec.values[column]
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
            return defects.bad_id(kind, value, rng)
        if kind == "missing_required":
            return ""
        if kind == "bad_date":
            return defects.bad_date(rec.context["signed"], env, rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "bad_uscc":
            return shichang.bad_uscc(value, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_STATUS)
        if kind == "bad_phone":
            return defects.bad_phone(rng)
        if kind == "unresolvable_address":
            return address.unresolvable(rec.context["house"], rng)
        if kind == "address_variant":
            return address.variant(rec.context["house"], rng)[1]
        raise ValueError(f"defect {kind} does not apply to 商品房网签备案")

    def eligible(kind: str, column: str, rec: Record) -> bool:
        if kind == "legacy_15_digit":  # only those born by 1984 ever held a 15-digit number
            return rec.context["born"] <= 1984
        return kind not in ("bad_uscc", "bad_phone") or bool(rec.values[column])

    for recs in spill(st):
        for rec in recs:
            pool = pools.get(rec.values["division_code"]) or ()
            if pool:
                dev = pool[random.Random(f"{wctx.world.seed}/zhujian/developer/{rec.context['compound']}")
                           .randrange(len(pool))]
                rec.values["developer_uscc"] = dev["uscc"]
            else:  # a city too small to hold any enterprise: the code stays empty, and the truth says so
                rec.broken.add("developer_uscc:required")
        damage(recs, st.defects, rng, mutate, eligible)
        yield from recs


def _wangqian_options(contract, date) -> dict:
    # a plain export: header on row 1, no title
    return {"title": None, "created": dt.datetime.combine(date, dt.time(4)), "creator": WANGQIAN_CREATOR,
            "numeric": ("floor_area", "price")}


FEEDS = FEEDS + (
    # ≈93% valid: buyers' ID numbers and the developer's code are typed at the sales office (errors: ID,
    # credit code, division, signing date, status, a missing name; phone and address are warnings).
    FeedSpec("zhujian.wangqian", _wangqian_grid, world_records=_wangqian_world, date_format=DATE,
             timestamp_format=TS, sink_options=_wangqian_options, delivery_mode="delta",
             defects=defects.FeedDefects(
                 rates={"bad_check_digit": 0.012, "legacy_15_digit": 0.005, "fullwidth_digits": 0.005,
                        "missing_required": 0.010, "bad_date": 0.008, "bad_division": 0.008, "bad_uscc": 0.010,
                        "wrong_code": 0.008, "bad_phone": 0.015, "unresolvable_address": 0.010,
                        "address_variant": 0.100, "duplicate": 0.005},
                 columns={"bad_check_digit": ("buyer_id_number",), "legacy_15_digit": ("buyer_id_number",),
                          "fullwidth_digits": ("buyer_id_number",), "missing_required": ("project", "buyer_name"),
                          "bad_date": ("signed_date",), "bad_division": ("division_code",),
                          "bad_uscc": ("developer_uscc",), "wrong_code": ("status",), "bad_phone": ("buyer_phone",),
                          "unresolvable_address": ("house_address",), "address_variant": ("house_address",),
                          "duplicate": ("contract_no",)})),
)
