"""卫健委 front-end database (前置库): 出生医学证明, 死亡医学证明, 严重精神障碍患者.

Three tables of one database (``DbSink``: typed columns, a primary key, pulled by update time ``gxsj``):

- 出生医学证明 (t_csyxzm): the full load holds the certificates of the babies born in the year before the
  as-of date who live in the city with their mother (the population's infants, whose 户主/配偶 mother is a
  resident of the household; 公安's 户籍变动 registers the youngest of them as 出生登记). Each delta day adds
  the world's births of the day before (``simulator.world.vital``): the newborn's key and name, the mother
  found among the grid's residents.
- 死亡医学证明 (t_swyxzm): delta days add the world's deaths of the day before (the residents the vital
  changes mark dead, the same rows 民政 殡葬 uses); the full load holds the year's earlier certificates,
  of persons who died before the as-of date and so are not in the population: each stands for a relative
  of a resident of the grid (their surname and address), with a valid number unique against every
  resident's (issued through a layer over the world's ID registry, which the world itself never sees).
- 严重精神障碍患者 (t_yzjszahz): ~0.55% of residents aged 15 and over (the registered prevalence), with a
  guardian from their household; delta days re-send the patients followed up that day (a new 最近随访日期)
  and those who moved.

A keyed table takes no ``duplicate``; its typed date columns hold parseable dates, so the date-shaped
damage is ``stale`` follow-ups (a real date, too old) rather than malformed dates.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import idnumbers
from simulator.address import standard_address
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.damage import chosen
from simulator.feeds.registry import FeedSpec, FeedState, GridContext, WorldContext
from simulator.feeds.world_damage import damage as damage_world
from simulator.geography import DISTRICT_BY_CODE
from simulator.world.events import _poisson
from simulator.world.persons import name as make_name
from simulator.world.vital import _LayeredIds, _mortality

DATE = "%Y-%m-%d"
TS = "%Y-%m-%d %H:%M:%S"
HOSPITALS = {"360902": "宜春市人民医院", "360921": "奉新县人民医院", "360922": "万载县人民医院",
             "360923": "上高县人民医院", "360924": "宜丰县人民医院", "360925": "靖安县人民医院",
             "360926": "铜鼓县人民医院", "360981": "丰城市人民医院", "360982": "樟树市人民医院",
             "360983": "高安市人民医院"}
MATERNITY = "宜春市妇幼保健院"
WRONG_SEX = ("男", "女", "0", "M")


def _hospital(division: str, rng: random.Random) -> str:
    return MATERNITY if division == "360902" and rng.random() < 0.5 else HOSPITALS.get(division, MATERNITY)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# ---- the world's vital changes ---------------------------------------------------------------------------

def vital_today(ctx: GridContext, change: str) -> list[dict]:
    """This grid's vital changes of the kind that happened on the day before the delivery ``ctx.date``
    (``simulator.city`` replays them once for every feed: ``ctx.vital``). A resident is found in the grid
    the day's grid pass regenerates them in: their as-of grid."""
    if ctx.world is None:
        raise RuntimeError("weijian: vital changes asked for on day 0 (the full load is the as-of city)")
    key = "mother_person_key" if change == "birth" else "person_key"
    return [c for c in ctx.vital.get(ctx.date - dt.timedelta(days=1), ())
            if c["change"] == change and ctx.world.home_grid(c[key]) == ctx.grid.grid_code]


# ---- 出生医学证明 -----------------------------------------------------------------------------------------

def _mother_and_father(household, baby):
    parents = [m for m in household.members if m.relation in ("户主", "配偶") and m is not baby]
    mother = next((m for m in parents if not m.male and 18 <= _age(m.birth_date, baby.birth_date) <= 49), None)
    father = next((m for m in parents if m.male), None)
    return mother, father


def _birth_record(cert_no: str, entity: str, name: str, male: bool, born: dt.datetime, mother, father, house,
                  issued: dt.datetime, rng: random.Random) -> Record:
    return Record(values={
        "certificate_id": cert_no, "baby_name": name, "baby_sex": "1" if male else "2",
        "birth_at": born.strftime(TS), "birth_weight_g": str(max(1500, min(5200, round(rng.gauss(3300, 430))))),
        "hospital": _hospital(house.division_code, rng),
        "mother_id_number": mother.id_number, "mother_name": mother.name,
        "father_id_number": father.id_number if father else "", "father_name": father.name if father else "",
        "home_address": standard_address(house), "division_code": house.division_code,
        "issued_date": issued.strftime(DATE), "updated_at": issued.strftime(TS),
    }, entity_key=entity, context=mother)


def _certificate_no(person_key: str) -> str:
    # 出生医学证明编号: a letter and nine digits, one certificate per child
    return f"Q{int(person_key[1:]) % 10**9:09d}"


def _chusheng(ctx: GridContext, st: FeedState) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    households = {hh.household_id: hh for hh in ctx.grid.households}
    if ctx.day == 0:
        for p in ctx.people:
            if (env.as_of - p.birth_date).days > 365 or p.relation not in ("子", "女"):
                continue
            mother, father = _mother_and_father(households[p.household_id], p)
            born = dt.datetime.combine(p.birth_date, dt.time()) + dt.timedelta(seconds=rng.randrange(86400))
            issued = min(born + dt.timedelta(days=rng.randint(1, 7), hours=rng.randint(1, 8)),
                         dt.datetime.combine(env.as_of - dt.timedelta(days=1), dt.time(17)))
            if mother is None:  # born to a mother who does not live here: certified where she lives
                continue
            recs.append(_birth_record(_certificate_no(p.person_key), p.person_key, p.name, p.male, born, mother,
                                      father, p.house, issued, rng))
    else:
        people = {p.person_key: p for p in ctx.people}
        for b in vital_today(ctx, "birth"):
            mother = people.get(b["mother_person_key"])
            if mother is None:  # she moved out of the grid on an earlier delta day
                continue
            father = next((m for m in households[mother.household_id].members
                           if m.male and m.relation in ("户主", "配偶") and mother.relation in ("户主", "配偶")), None)
            born = dt.datetime.combine(b["date"], dt.time()) + dt.timedelta(seconds=rng.randrange(86400))
            # certified the same day in hospital: the front-end database gets it on that day's sync
            issued = dt.datetime.combine(b["date"], dt.time(23, 30))
            recs.append(_birth_record(_certificate_no(b["person_key"]), b["person_key"], b["name"],
                                      b["sex"] == "男", born, mother, father, mother.house, issued, rng))
    _inject(recs, st, lambda rec, col: rec.context if col == "mother_id_number" else None)
    return recs


# ---- 死亡医学证明 -----------------------------------------------------------------------------------------

CAUSES = (("I21.9", 16), ("I63.9", 20), ("C34.9", 10), ("J44.9", 12), ("C22.0", 5), ("C16.9", 4), ("E11.9", 4),
          ("I10", 6), ("V89.2", 3), ("W19", 3), ("N18.9", 3), ("R54", 14))
PLACES = (("医疗卫生机构", 55), ("家中", 38), ("来院途中", 3), ("养老服务机构", 2), ("其他场所", 2))
WRONG_PLACE = ("医院", "住宅", "路上", "5")


def _pick(rng: random.Random, table) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _death_record(cert_no: str, entity: str, id_number: str, name: str, male: bool, died: dt.datetime,
                  address: str, division: str, rng: random.Random, context) -> Record:
    place = _pick(rng, PLACES)
    unit = _hospital(division, rng) if place in ("医疗卫生机构", "来院途中") else \
        f"{DISTRICT_BY_CODE[division].name}{rng.choice(('城区', '中心'))}卫生院"
    return Record(values={
        "certificate_id": cert_no, "id_number": id_number, "name": name, "sex": "1" if male else "2",
        "death_at": died.strftime(TS), "death_place": place, "cause_code": _pick(rng, CAUSES),
        "home_address": address, "division_code": division, "issuing_unit": unit,
        "updated_at": (died + dt.timedelta(hours=rng.randint(2, 20))).strftime(TS),
    }, entity_key=entity, context=context)


def _siwang(ctx: GridContext, st: FeedState) -> list[Record]:
    """Delta days: the residents the world's vital changes mark dead on the day before."""
    if ctx.day == 0:
        return []
    rng = st.rng
    people = {p.person_key: p for p in ctx.people}
    recs = []
    for d in vital_today(ctx, "death"):
        p = people.get(d["person_key"])
        if p is None:
            continue
        died = dt.datetime.combine(d["date"], dt.time()) + dt.timedelta(seconds=rng.randrange(86400 - 3 * 3600))
        recs.append(_death_record(f"{p.house.division_code}{d['date']:%Y}{9 * 10**7 + int(p.person_key[1:]) % 10**7:08d}",
                                  p.person_key, p.id_number, p.name, p.male, died, standard_address(p.house),
                                  p.house.division_code, rng, p))
    _inject(recs, st, lambda rec, col: rec.context)
    return recs


def _siwang_world(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    """Day 0: the year's certificates of persons who died before the as-of date (not in the population)."""
    if wctx.day > 0:
        return
    world, rng = wctx.world, st.rng
    ids = _LayeredIds(world.ids)
    for index, g in enumerate(world.grids):
        gr = random.Random(f"{world.seed}/weijian/siwang/{g.grid_code}")
        recs = []
        for k in range(min(99, _poisson(gr, g.persons * world.config.death_rate))):
            died_on = world.as_of - dt.timedelta(days=gr.randint(1, 365))
            age = None
            for _ in range(2000):  # ages as deaths fall (Gompertz), like the world's own deaths
                a = gr.randint(0, 100)
                if gr.random() < _mortality(a):
                    age = a
                    break
            if age is None or not g.adults:
                continue
            male = gr.random() < 0.55
            birth = died_on - dt.timedelta(days=int(age * 365.25) + gr.randint(0, 364))
            relative = gr.choice(g.adults)  # the household they lived in: its address and family name
            code = idnumbers.era_code(DISTRICT_BY_CODE[g.district_code].id_codes, birth.year)
            id_number = ids.issue(code, birth, male, gr)
            name = relative.name[0] + make_name(gr, male)[1:]
            died = dt.datetime.combine(died_on, dt.time()) + dt.timedelta(seconds=gr.randrange(86400 - 3 * 3600))
            person = _Decedent(id_number, birth)
            recs.append(_death_record(f"{g.district_code}{died_on:%Y}{index * 100 + k:08d}", id_number, id_number,
                                      name, male, died, relative.address, g.district_code, gr, person))
        _inject(recs, st, lambda rec, col: rec.context)
        yield from recs


class _Decedent:
    """Enough of a person for the damage rules (the 15-digit era check)."""

    def __init__(self, id_number: str, birth_date: dt.date) -> None:
        self.id_number, self.birth_date = id_number, birth_date


# ---- 严重精神障碍患者 ------------------------------------------------------------------------------------

PATIENT_SHARE = 0.0055  # of residents aged 15+: registered prevalence of severe mental disorders ≈0.4–0.6%
FOLLOWUP_PER_DAY = 1 / 60  # patients are followed up at least quarterly, most every one to two months
DIAGNOSES = (("精神分裂症", 58), ("双相情感障碍", 11), ("癫痫所致精神障碍", 8), ("精神发育迟滞伴发精神障碍", 11),
             ("持久的妄想性障碍", 5), ("分裂情感性障碍", 7))
RISK = (("0", 60), ("1", 24), ("2", 10), ("3", 4), ("4", 1.5), ("5", 0.5))
STATUS = (("在管", 92), ("住院", 4), ("失访", 3), ("迁出", 1))
WRONG_DIAGNOSIS = ("精神病", "抑郁症", "F20", "分裂症")
WRONG_RISK = ("6", "低", "Ⅱ级", "-1")


def _followed_up(person_key: str, date: dt.date) -> bool:
    return chosen(person_key, f"weijian.jingshen/followup/{date}", FOLLOWUP_PER_DAY)


def _jingshen(ctx: GridContext, st: FeedState) -> list[Record]:
    env, rng = st.env, st.rng
    households = {hh.household_id: hh for hh in ctx.grid.households}
    recs = []
    for p in ctx.people:
        if _age(p.birth_date, env.as_of) < 15 or not chosen(p.person_key, "weijian.jingshen", PATIENT_SHARE):
            continue
        guardians = [m for m in households[p.household_id].members
                     if m is not p and _age(m.birth_date, env.as_of) >= 18]
        guardian = rng.choice(guardians) if guardians else None
        status = _pick(rng, STATUS)
        followup = env.as_of - dt.timedelta(days=rng.randint(1, 60))
        updated = dt.datetime.combine(followup, dt.time(9)) + dt.timedelta(seconds=rng.randrange(8 * 3600))
        if ctx.day > 0 and _followed_up(p.person_key, ctx.date - dt.timedelta(days=1)):
            # a visit yesterday: the record is re-sent with the new date (draws above kept for the stream)
            followup = ctx.date - dt.timedelta(days=1)
            updated = dt.datetime.combine(followup, dt.time(17, 30))
        elif ctx.day > 0 and p.person_key in ctx.changed:
            updated = dt.datetime.combine(ctx.date - dt.timedelta(days=1), dt.time(18))
        recs.append(Record(values={
            "patient_id": f"JS{p.house.division_code}{int(p.person_key[1:]):010d}", "id_number": p.id_number,
            "name": p.name, "sex": "1" if p.male else "2", "diagnosis": _pick(rng, DIAGNOSES),
            "risk_level": _pick(rng, RISK), "management_status": status,
            "guardian_name": guardian.name if guardian else "", "guardian_phone": guardian.phone if guardian else "",
            "address": standard_address(p.house), "division_code": p.house.division_code,
            "last_followup": followup.strftime(DATE), "updated_at": updated.strftime(TS),
        }, entity_key=p.person_key, context=p))
    _inject(recs, st, lambda rec, col: rec.context, house_of=lambda rec, col: rec.context.house)
    return recs


def _jingshen_changed(rec: Record, ctx: GridContext) -> bool:
    return rec.entity_key in ctx.changed or _followed_up(rec.entity_key, ctx.date - dt.timedelta(days=1))


# ---- damage ------------------------------------------------------------------------------------------------

WRONG = {"baby_sex": WRONG_SEX, "sex": WRONG_SEX, "death_place": WRONG_PLACE, "diagnosis": WRONG_DIAGNOSIS,
         "risk_level": WRONG_RISK}


def _inject(recs: list[Record], st: FeedState, person_of, house_of=None) -> None:
    """The person-feed mutations (``damage.mutation``) with the coded columns' wrong codes, except a stale
    follow-up date: a date column here (the table types it, so it must stay a date), and any patient's
    visit can be overdue, whatever the person's age."""
    env, rng = st.env, st.rng
    basic = damage.eligible_for(env, person_of, filled=("bad_phone",))
    person = damage.mutation(env, rng, house_of=house_of, wrong=WRONG, what=st.contract.id)

    def eligible(kind: str, column: str, rec: Record) -> bool:
        return kind == "stale" or basic(kind, column, rec)

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "stale":  # the last visit lies beyond the cycle (reverifyDays + 30 days and more)
            return (env.as_of - dt.timedelta(days=(env.reverify_days or 365) + 31 + rng.randint(0, 400))).strftime(DATE)
        return person(kind, column, rec)

    damage_world(recs, st.defects, rng, mutate, eligible)


def _every_record(rec: Record, ctx: GridContext) -> bool:
    """A delta day's records are already only that day's certificates."""
    return True


FEEDS = (
    # ≈95% valid: hospital systems check the form, but the parents' numbers are typed in by hand.
    FeedSpec("weijian.chusheng", _chusheng, date_format=DATE, timestamp_format=TS,
             changed=_every_record,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.020, "missing_required": 0.010, "wrong_code": 0.010,
                        "bad_division": 0.010},
                 columns={"bad_check_digit": ("mother_id_number", "father_id_number"),
                          "missing_required": ("mother_name", "hospital"), "wrong_code": ("baby_sex",),
                          "bad_division": ("division_code",)})),
    # ≈93% valid: the deceased's number is often copied from an old first-generation card.
    FeedSpec("weijian.siwang", _siwang, world_records=_siwang_world, date_format=DATE, timestamp_format=TS,
             changed=_every_record,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.020, "fullwidth_digits": 0.005,
                        "missing_required": 0.005, "wrong_code": 0.015, "bad_division": 0.010},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "wrong_code": ("death_place",), "bad_division": ("division_code",)})),
    # ≈87% valid: community follow-up records are the weakest of the three (below the 90% target).
    FeedSpec("weijian.jingshen", _jingshen, date_format=DATE, timestamp_format=TS, changed=_jingshen_changed,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.010, "fullwidth_digits": 0.005,
                        "missing_required": 0.010, "wrong_code": 0.015, "bad_phone": 0.020,
                        "unresolvable_address": 0.020, "address_variant": 0.200, "stale": 0.040,
                        "bad_division": 0.010},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name", "address"),
                          "wrong_code": ("diagnosis", "risk_level"), "bad_phone": ("guardian_phone",),
                          "unresolvable_address": ("address",), "address_variant": ("address",),
                          "stale": ("last_followup",), "bad_division": ("division_code",)})),
)
