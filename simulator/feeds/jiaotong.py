"""交通运输局: 营运车辆 and 道路运输从业人员 (GBK CSV, weekly full exports from the 道路运政管理系统).

One fleet of the one city, seen from both registers:
- operators are the world's organisations — enterprises of 交通运输、仓储和邮政业 in business run a line of
  freight (货运), coaches (客运), taxis (出租) or buses (公交), 危化 enterprises their dangerous-goods tankers —
  and residents who own a truck themselves (个体运输户, ~5% of each grid's sampled adults): same USCC and name as
  市场监管, same person as the population;
- drivers are resident adults (23–60, mostly men, ~1.4% of persons), the truck owners among them; a driver's
  所属企业 is a company of their district running the line their qualification is for.

Number plates follow GA 36 under 赣C (宜春): ``plate()`` gives each vehicle a distinct one (five characters,
or the six of a new-energy plate), ``bad_plate()`` the ways a plate is mistyped (the ``bad_plate`` kind).
从业资格证号 is the holder's 公民身份号码 (the national rule since 2016).

Drivers are people of the grids, but their employers are organisations of the finished world: the driver
records are drawn and damaged grid by grid, held (values only, ~1% of persons) and written once the world
exists, with the 所属企业 filled in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.address import standard_address
from simulator.dates import add_years
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec, FeedState, GridContext, WorldContext
from simulator.feeds.world_damage import damage as damage_world
from simulator.world.orgs import grid_orgs

DATE = "%Y%m%d"
PREFIX = "赣C"  # 宜春
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36: I and O are never used (they read as 1 and 0)
NOT_PROVINCES = ("江", "宜", "昌", "西")  # characters that are no province's plate abbreviation
TRANSPORT = "交通运输、仓储和邮政业"
OWNER_SHARE = 0.05  # of a grid's sampled adults: owns a truck and drives it (个体运输户)

# plate formats: (size of the number space, multiplier coprime to it, render)
_FORMATS = {
    "ordinary": (24 * 10_000, 7_919, lambda i: f"{PLATE_LETTERS[i // 10_000]}{i % 10_000:04d}"),
    "nev_small": (100_000, 7_919, lambda i: f"D{i:05d}"),  # new-energy small car: D + 5
    "nev_large": (100_000, 7_919, lambda i: f"{i:05d}D"),  # new-energy bus or truck: 5 + D
}


def plate(fmt: str, n: int) -> str:
    """The ``n``-th plate of a format: a fixed permutation of its number space, so plates are distinct and
    scattered like issued ones rather than counted up."""
    size, mult, render = _FORMATS[fmt]
    if n >= size:
        raise ValueError(f"more than {size} {fmt} plates: widen the format in jiaotong.py")
    return PREFIX + render((n * mult + 1234) % size)


def bad_plate(value: str, rng: random.Random) -> str:
    """A plate breaking GA 36: a letter I or O typed for a 1 or 0, a province that does not exist, or a digit
    lost (five-character plates only: a six-character new-energy plate missing one would look ordinary)."""
    body = value[len(PREFIX):]
    ways = ["io", "province"] + (["lost"] if len(body) == 5 else [])
    way = rng.choice(ways)
    if way == "province":
        return rng.choice(NOT_PROVINCES) + value[1:]
    i = rng.randrange(len(body))
    if way == "lost":
        return PREFIX + body[:i] + body[i + 1:]
    return PREFIX + body[:i] + rng.choice("IO") + body[i + 1:]


# ---- the fleet ---------------------------------------------------------------------------------------------

LINES = (("货运", 70), ("客运", 14), ("出租", 10), ("公交", 6))
STATUS = (("营运", 93), ("停运", 4), ("注销", 2), ("过户", 1))
WRONG_VEHICLE_TYPE = ("货车", "大客", "罐车", "K11")


def line_of(seed, org: dict) -> str | None:
    """The line a company runs (None: not a transport operator), stable per company."""
    if org["status"] != "存续" or org["category"] != "enterprise":
        return None
    if org["is_hazardous_chemical"]:
        return "危运"
    if org["industry"] != TRANSPORT:
        return None
    r = random.Random(f"{seed}/jiaotong/line/{org['uscc']}")
    return r.choices([x for x, _ in LINES], weights=[w for _, w in LINES])[0]


def owns_truck(ref, as_of: dt.date) -> bool:
    """A resident (one of the grid's sampled adults, 23–60) who owns a truck and drives it."""
    return (bool(ref.person_key) and 23 <= _age(ref.birth_date, as_of) <= 60
            and damage.chosen(ref.person_key, "jiaotong.owner", OWNER_SHARE))


def _vehicles(line: str, r: random.Random) -> list[dict]:
    """The vehicles of one operator: type, scope, plate format and colour, seats, tonnage."""
    if line == "货运":
        n, out = r.randint(1, 8), []
        for _ in range(n):
            t = r.choices(("重型货车", "中型货车", "轻型货车"), weights=(40, 20, 40))[0]
            tons = {"重型货车": (12, 31), "中型货车": (4.5, 12), "轻型货车": (0.8, 4.4)}[t]
            out.append({"vehicle_type": t, "business_scope": "普通货运", "fmt": "ordinary",
                        "plate_colour": "蓝色" if t == "轻型货车" else "黄色", "seats": "2" if t != "轻型货车" else "3",
                        "tonnage": f"{r.uniform(*tons):.1f}"})
        return out
    if line == "危运":
        return [{"vehicle_type": "危险货物运输车", "business_scope": "危险货物运输", "fmt": "ordinary",
                 "plate_colour": "黄色", "seats": "2", "tonnage": f"{r.uniform(8, 30):.1f}"}
                for _ in range(r.randint(1, 5))]
    if line == "客运":
        scope = r.choices(("班车客运", "包车客运", "旅游客运"), weights=(50, 30, 20))[0]
        out = []
        for _ in range(r.randint(2, 12)):
            t = r.choices(("大型客车", "中型客车", "小型客车"), weights=(40, 40, 20))[0]
            seats = {"大型客车": (35, 55), "中型客车": (20, 34), "小型客车": (7, 9)}[t]
            out.append({"vehicle_type": t, "business_scope": scope, "fmt": "ordinary",
                        "plate_colour": "蓝色" if t == "小型客车" else "黄色", "seats": str(r.randint(*seats)),
                        "tonnage": ""})
        return out
    if line == "出租":
        out = []
        for _ in range(r.randint(5, 30)):
            nev = r.random() < 0.6
            out.append({"vehicle_type": "出租汽车", "business_scope": "出租客运", "fmt": "nev_small" if nev else "ordinary",
                        "plate_colour": "绿色" if nev else "蓝色", "seats": "5", "tonnage": ""})
        return out
    out = []
    for _ in range(r.randint(10, 40)):  # 公交
        nev = r.random() < 0.7
        out.append({"vehicle_type": "公交车", "business_scope": "公交客运", "fmt": "nev_large" if nev else "ordinary",
                    "plate_colour": "黄绿色" if nev else "黄色", "seats": str(r.randint(30, 90)), "tonnage": ""})
    return out


def _date_between(r: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=r.randint(0, max(0, (end - start).days)))


def cheliang_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, env = wctx.world, st.env
    counters = {f: 0 for f in _FORMATS}
    serials: dict[str, int] = {}
    for index, info in enumerate(world.grids):
        operators = [(o["uscc"], o["name"], o["established_date"], line)
                     for o in grid_orgs(world, info, index) if (line := line_of(world.seed, o))]
        operators += [("", ref.name, ref.birth_date + dt.timedelta(days=25 * 365), "个体")
                      for ref in info.adults if owns_truck(ref, env.as_of)]
        chunk = []
        for uscc, name, since, line in operators:
            r = random.Random(f"{world.seed}/jiaotong/fleet/{uscc or name}/{info.grid_code}")
            fleet = (_vehicles("货运", r)[:1] if line == "个体" else _vehicles(line, r))
            for v in fleet:
                counters[v["fmt"]] += 1
                serials[info.district_code] = serials.get(info.district_code, 0) + 1
                true_plate = plate(v["fmt"], counters[v["fmt"]] - 1)
                last = env.as_of - dt.timedelta(days=30)
                issued = _date_between(r, min(max(since, dt.date(2005, 1, 1)), last), last)
                inspected = defects.healthy_timestamp(env, r).date()
                chunk.append(Record(values={
                    "permit_no": f"{info.district_code}{serials[info.district_code]:06d}", "plate": true_plate,
                    "plate_colour": v["plate_colour"], "vehicle_type": v["vehicle_type"],
                    "business_scope": v["business_scope"], "operator_uscc": uscc, "operator_name": name,
                    "seats": v["seats"], "tonnage": v["tonnage"], "issued_date": issued.strftime(DATE),
                    "inspected_date": inspected.strftime(DATE),
                    "status": r.choices([s for s, _ in STATUS], weights=[w for _, w in STATUS])[0],
                }, entity_key=true_plate, context=None))
        yield from _damage_vehicles(chunk, st)


def _damage_vehicles(recs: list[Record], st: FeedState) -> list[Record]:
    rng, env = st.rng, st.env

    def eligible(kind: str, column: str, rec: Record) -> bool:
        return kind != "bad_uscc" or bool(rec.values[column])  # a person operates under no credit code

    def mutate(kind: str, column: str, rec: Record) -> str:
        from simulator.feeds.shichang import bad_uscc

        if kind == "bad_plate":
            return bad_plate(rec.values[column], rng)
        if kind == "bad_uscc":
            return bad_uscc(rec.values[column], rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_VEHICLE_TYPE)
        if kind == "missing_required":
            return ""
        if kind == "bad_date":
            return defects.bad_date(dt.datetime.strptime(rec.values[column], DATE).date(), env, rng)
        if kind == "stale":
            return defects.stale_timestamp(env, rng).strftime(DATE)
        raise ValueError(f"defect {kind} does not apply to 营运车辆")

    damage_world(recs, st.defects, rng, mutate, eligible)
    return recs


# ---- drivers -----------------------------------------------------------------------------------------------

QUALIFICATIONS = (("道路货物运输驾驶员", "货运", 50), ("道路旅客运输驾驶员", "客运", 14),
                  ("巡游出租汽车驾驶员", "出租", 10), ("网络预约出租汽车驾驶员", None, 15),
                  ("危险货物运输驾驶员", "危运", 7), ("危险货物运输押运人员", "危运", 4))
_LINE_OF = {q: line for q, line, _ in QUALIFICATIONS}
DRIVER_SHARE = {"男": 0.045, "女": 0.005}  # of residents aged 23–60
WRONG_QUALIFICATION = ("A2", "货运驾驶员", "驾驶员", "B2")
WRONG_SEX = ("1", "2", "M")


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _congye_grid(ctx: GridContext, st: FeedState) -> list[Record]:
    env = st.env
    owners = {ref.person_key for ref in (ctx.world_grid.adults if ctx.world_grid else ()) if owns_truck(ref, env.as_of)}
    recs, employ = [], []
    for p in ctx.people:
        owner = p.person_key in owners
        if not owner and not (23 <= _age(p.birth_date, env.as_of) <= 60
                              and damage.chosen(p.person_key, "jiaotong.congye", DRIVER_SHARE[p.sex])):
            continue
        r = random.Random(f"{p.id_number}/jiaotong/congye")  # per driver: the same certificate every week
        q = "道路货物运输驾驶员" if owner else r.choices([q[0] for q in QUALIFICATIONS],
                                                      weights=[q[2] for q in QUALIFICATIONS])[0]
        first = _date_between(r, min(add_years(p.birth_date, 22), env.as_of - dt.timedelta(days=30)),
                              env.as_of - dt.timedelta(days=30))
        valid_until = first
        while valid_until <= env.as_of:
            valid_until = add_years(valid_until, 6)  # renewed every six years
        recs.append(Record(values={
            "certificate_no": p.id_number, "name": p.name, "id_number": p.id_number, "sex": p.sex, "phone": p.phone,
            "qualification": q, "employer_name": "", "first_issued": first.strftime(DATE),
            "valid_until": valid_until.strftime(DATE), "address": standard_address(p.house),
            "division_code": p.house.division_code,
        }, entity_key=p.person_key, context=p))
        # the employer is chosen once the world is known: the line, a draw, the true district
        employ.append((None if owner else _LINE_OF[q], r.random(), p.house.division_code))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
            return defects.bad_id(kind, rec.values[column], st.rng)
        if kind == "missing_required":
            return ""
        if kind == "wrong_code":
            return st.rng.choice(WRONG_SEX if column == "sex" else WRONG_QUALIFICATION)
        if kind == "bad_date":
            return defects.bad_date(dt.datetime.strptime(rec.values[column], DATE).date(), env, st.rng)
        if kind == "bad_phone":
            return defects.bad_phone(st.rng)
        if kind == "bad_division":
            return defects.bad_division(st.rng)
        raise ValueError(f"defect {kind} does not apply to 从业人员")

    damage_world(recs, st.defects, st.rng, mutate, damage.eligible_for(env, lambda rec, col: rec.context))
    for rec in recs:
        rec.context = None  # held until the world exists: keep the values, not the person and their house
    st.counters.setdefault("held", []).extend(zip(recs, employ))
    return []


def _congye_world(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    companies: dict[tuple[str, str], list[str]] = {}
    for o in wctx.world.orgs():
        line = line_of(wctx.world.seed, o)
        if line:
            companies.setdefault((o["district_code"], line), []).append(o["name"])
    for rec, (line, draw, district) in st.counters.pop("held", []):
        names = companies.get((district, line), []) if line else []
        if names and draw < 0.85:  # the others hold a certificate but drive for no registered company now
            rec.values["employer_name"] = names[int(draw / 0.85 * len(names))]
        yield rec


FEEDS = (
    # 营运车辆 ≈91% valid (a weak register: stale inspections, plates mistyped); a tenth of weekly exports
    # stop mid-record (the last line is cut and quarantined).
    FeedSpec("jiaotong.cheliang", world_records=cheliang_records, date_format=DATE, timestamp_format=DATE,
             defects=FeedDefects(
                 rates={"bad_plate": 0.015, "bad_uscc": 0.010, "wrong_code": 0.010, "missing_required": 0.010,
                        "bad_date": 0.008, "stale": 0.030, "duplicate": 0.005, "truncated_last_line": 0.10},
                 columns={"bad_plate": ("plate",), "bad_uscc": ("operator_uscc",),
                          "wrong_code": ("vehicle_type",), "missing_required": ("operator_name",),
                          "bad_date": ("issued_date",), "stale": ("inspected_date",), "duplicate": ("permit_no",)})),
    # 从业人员 ≈93% valid (errors: the ID, name, qualification or sex, first-issue date, division; phones warn).
    FeedSpec("jiaotong.congye", records=_congye_grid, world_records=_congye_world, date_format=DATE,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.008, "fullwidth_digits": 0.005,
                        "missing_required": 0.010, "wrong_code": 0.010, "bad_date": 0.010, "bad_phone": 0.020,
                        "bad_division": 0.008, "duplicate": 0.005},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "wrong_code": ("qualification", "sex"), "bad_date": ("first_issued",),
                          "bad_phone": ("phone",), "bad_division": ("division_code",),
                          "duplicate": ("certificate_no",)})),
)
