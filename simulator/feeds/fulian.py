"""妇联: 农村留守儿童 and 妇女儿童维权案件 (GBK CSV), drawn from the residents of each grid.

留守儿童 (full, quarterly from the 儿童关爱服务系统): registered (户籍) children under 16 whose father and mother
are both away working (外出务工) — the parents stay on the household register, so the couple is still a
resident record elsewhere, but they live in 广东, 浙江 … Which households have both parents away is a stable
draw per household: ~15% of registered couples aged 20–50 with a child under 16 in rural grids, ~4% in urban
ones (城乡结合部). The guardian is the child's grandparent in the household (祖辈监护), else an adult of the grid
(亲属监护 / 委托监护). 就读学校 is the school the world enrols the child in (教体局's own school), so these
records are drawn and damaged grid by grid, held (values only: ~0.8% of persons) and written once the world
— and its schools — exist.

维权案件 (delta, weekly from the 12338 维权服务系统): cases about resident women (18+) and children, ~1.5 per
1,000 women and children a year (there is no world event kind for them: each grid draws its own over a fixed
window around the as-of date, so every day's delivery sees the same cases). Case ids are ``WQ<grid><serial>``;
the entity is the woman or child the case is about. The full load sends the cases received in the year before
the as-of date as seen then; a delta day's file (dated D) the cases received or moved on (转办, 办理中, 办结) on
the day before D, seen at D's midnight, with their later update time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from simulator import defects
from simulator.address import standard_address
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec, FeedState, GridContext, WorldContext
from simulator.feeds.world_damage import damage as damage_records, mutation
from simulator.people import LIUDONG

DATE = "%Y-%m-%d"
TS = "%Y-%m-%d %H:%M:%S"

# ---- 留守儿童 ------------------------------------------------------------------------------------------------

AWAY_SHARE = {False: 0.15, True: 0.04}  # by grid is_urban: households whose working-age parents both left
CHILD_AGE = 16  # 农村留守儿童: under 16 (国发〔2016〕13号)
WORK_PLACES = ("广东省东莞市", "广东省深圳市", "广东省广州市", "广东省佛山市", "浙江省宁波市", "浙江省义乌市",
               "浙江省温州市", "福建省厦门市", "福建省泉州市", "上海市", "江苏省苏州市", "江西省南昌市")
WRONG_CARE = ("祖父母监护", "隔代监护", "单亲监护", "1")


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def parents_away(household, as_of: dt.date, is_urban: bool) -> bool:
    """A registered household whose 户主 and 配偶 (both 20–50) work away and leave a child under 16 behind."""
    if household.population_type == LIUDONG:
        return False
    parents = [m for m in household.members if m.relation in ("户主", "配偶")]
    if len(parents) != 2 or not all(20 <= _age(m.birth_date, as_of) <= 50 for m in parents):
        return False
    if not any(m.relation in ("子", "女") and _age(m.birth_date, as_of) < CHILD_AGE for m in household.members):
        return False
    return damage.chosen(household.household_id, "fulian.away", AWAY_SHARE[is_urban])


def _visited(birth: dt.date, env, r: random.Random) -> dt.date:
    """The last home visit: within the re-verification cycle, and not before a newborn came home."""
    return min(max(defects.healthy_timestamp(env, r).date(), birth + dt.timedelta(days=14)),
               env.as_of - dt.timedelta(days=1))


def _liushou_grid(ctx: GridContext, st: FeedState) -> list[Record]:
    env = st.env
    info = ctx.world_grid
    is_urban = bool(info and info.is_urban)
    village = info.village_code if info else ""
    adults = [p for hh in ctx.grid.households for p in hh.members
              if p.population_type != LIUDONG and 25 <= _age(p.birth_date, env.as_of) <= 70]
    recs = []
    for hh in ctx.grid.households:
        if not parents_away(hh, env.as_of, is_urban):
            continue
        grand = [m for m in hh.members if m.relation in ("父亲", "母亲")]
        place = random.Random(f"{hh.household_id}/{hh.members[0].id_number}/fulian").choice(WORK_PLACES)
        for child in hh.members:
            if child.relation not in ("子", "女") or _age(child.birth_date, env.as_of) >= CHILD_AGE:
                continue
            r = random.Random(f"{child.id_number}/fulian.liushou")  # the same care record every quarter
            if grand:
                care, guardian = "祖辈监护", grand[0]
            else:
                others = [p for p in adults if p.household_id != hh.household_id]
                kin = [p for p in others if p.name[0] == child.name[0]] or others
                care = "亲属监护" if r.random() < 0.75 else "委托监护"
                guardian = r.choice(kin) if kin else None
            if guardian is None:
                continue  # no adult left in the grid to look after the child: not a case the 妇联 could file
            recs.append(Record(values={
                "child_id": f"LS{village}{int(child.person_key[1:]) % 1_000_000:06d}", "name": child.name,
                "id_number": child.id_number, "sex": child.sex, "birth_date": child.birth_date.strftime(DATE),
                "school": "", "care_type": care, "guardian_name": guardian.name, "guardian_phone": guardian.phone,
                "parents_work_place": place, "address": standard_address(child.house), "village_code": village,
                "visited_date": _visited(child.birth_date, env, r).strftime(DATE),
            }, entity_key=child.person_key, context=child))

    # The visit date is this register's update time (timestamp_format is DATE): a stale one is a stale visit.
    damage.inject(recs, st.defects, env, st.rng, person_of=lambda rec, col: rec.context,
                  house_of=lambda rec, col: rec.context.house, wrong=WRONG_CARE, what="留守儿童")
    for rec in recs:
        rec.context = None  # held until the world's schools exist: the values, not the child and their house
    st.counters.setdefault("held", []).extend(recs)
    return []


def _liushou_world(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    held: list[Record] = st.counters.pop("held", [])
    wanted = {rec.entity_key for rec in held}
    school = {}
    for row, pupils in wctx.world.schools():
        for pupil in pupils:
            if pupil["person_key"] in wanted:
                school[pupil["person_key"]] = row["name"]
    for rec in held:
        rec.values["school"] = school.get(rec.entity_key, "")  # under 6: not at school yet
        yield rec


# ---- 维权案件 ------------------------------------------------------------------------------------------------

CASES_PER_YEAR = 0.0015  # per resident woman (18+) or child
WINDOW = (-365 - 120, 366)  # days around the as-of date over which each grid draws its cases
CHANNELS = (("12338热线", 45), ("来访", 30), ("来信", 5), ("网络", 12), ("转办", 8))
WOMAN_TYPES = (("婚姻家庭", 35), ("家庭暴力", 20), ("人身权益", 10), ("财产权益", 15), ("劳动权益", 12), ("其他", 8))
CHILD_TYPES = (("儿童权益", 70), ("家庭暴力", 15), ("其他", 15))
SUMMARIES = {"婚姻家庭": "反映离婚后子女抚养费未按时支付", "家庭暴力": "反映遭受家庭成员殴打，请求帮助",
             "人身权益": "反映人身安全受到威胁", "财产权益": "反映离婚财产分割及土地承包权益受损",
             "劳动权益": "反映孕期被单位辞退", "儿童权益": "反映儿童受教育权益未得到保障", "其他": "咨询妇女儿童权益保障政策"}
WRONG_TYPE = ("家暴", "婚姻", "儿童", "9")


def _pick(r: random.Random, table) -> str:
    return r.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _poisson(r: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def grid_cases(ctx: GridContext) -> list[dict]:
    """Every case of the grid over the window, with its steps: the same list on every day."""
    grid = ctx.grid
    members = [m for hh in grid.households for m in hh.members]
    if not members:
        return []
    # seeded by the grid's first resident (the population is the seed's): independent of the feed's RNG,
    # whose draws depend on each day's records
    r = random.Random(f"{grid.grid_code}/{members[0].id_number}/{ctx.as_of}/fulian.weiquan")
    subjects = [(m, hh) for hh in grid.households for m in hh.members
                if _age(m.birth_date, ctx.as_of) < 18 or (m.sex == "女" and _age(m.birth_date, ctx.as_of) >= 18)]
    days = WINDOW[1] - WINDOW[0]
    n = _poisson(r, len(subjects) * CASES_PER_YEAR * days / 365) if subjects else 0
    start = dt.datetime.combine(ctx.as_of, dt.time()) + dt.timedelta(days=WINDOW[0])
    cases = []
    for k in range(1, n + 1):
        person, hh = r.choice(subjects)
        child = _age(person.birth_date, ctx.as_of) < 18
        applicant = person
        if child:
            adults = [m for m in hh.members if _age(m.birth_date, ctx.as_of) >= 18]
            applicant = next((m for m in adults if m.sex == "女"), adults[0] if adults else None)
            if applicant is None:
                continue
        received = start + dt.timedelta(days=r.randrange(days), seconds=r.randrange(8 * 3600, 18 * 3600))
        steps = [("受理", received)]
        if r.random() < 0.35:
            steps.append(("转办", received + dt.timedelta(hours=r.randint(2, 72))))
        steps.append(("办理中", steps[-1][1] + dt.timedelta(hours=r.randint(1, 96))))
        if r.random() < 0.95:
            steps.append(("办结", steps[-1][1] + dt.timedelta(days=r.randint(2, 60), hours=r.randint(0, 8))))
        case_type = _pick(r, CHILD_TYPES if child else WOMAN_TYPES)
        cases.append({"case_id": f"WQ{grid.grid_code}{k:04d}", "person": person, "applicant": applicant,
                      "channel": _pick(r, CHANNELS), "case_type": case_type, "steps": steps})
    return cases


def _weiquan_grid(ctx: GridContext, st: FeedState) -> list[Record]:
    env = st.env
    if ctx.day == 0:
        seen = dt.datetime.combine(ctx.as_of, dt.time())
        year_ago = seen - dt.timedelta(days=365)
        chosen = [c for c in grid_cases(ctx) if year_ago <= c["steps"][0][1] < seen]
    else:
        seen = dt.datetime.combine(ctx.date, dt.time())  # the day before the delivery, seen at its end
        chosen = [c for c in grid_cases(ctx) if any(seen - dt.timedelta(days=1) <= t < seen for _, t in c["steps"])]
    recs = []
    for c in chosen:
        steps = [(s, t) for s, t in c["steps"] if t < seen]
        status, updated = steps[-1]
        person = c["person"]
        recs.append(Record(values={
            "case_id": c["case_id"], "received_date": steps[0][1].strftime(DATE), "channel": c["channel"],
            "case_type": c["case_type"], "applicant_name": c["applicant"].name,
            "applicant_phone": c["applicant"].phone, "summary": SUMMARIES[c["case_type"]],
            "division_code": person.house.division_code, "status": status,
            "closed_date": updated.strftime(DATE) if status == "办结" else "", "updated_at": updated.strftime(TS),
        }, entity_key=person.person_key, context=c))

    mutate = mutation(st.rng, "维权案件", wrong=WRONG_TYPE, env=env,
                      true_date=lambda rec, col: rec.context["steps"][0][1].date())  # the day it was received
    damage_records(recs, st.defects, st.rng, mutate)
    return recs


FEEDS = (
    # 留守儿童 ≈87% valid: a weak register kept by village clerks (stale visits, IDs and phones mistyped); a few
    # records typed through the web form arrive as UTF-8 lines inside the GBK export.
    FeedSpec("fulian.liushou_ertong", records=_liushou_grid, world_records=_liushou_world, date_format=DATE,
             timestamp_format=DATE,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.020, "fullwidth_digits": 0.010, "missing_required": 0.015,
                        "bad_date": 0.010, "bad_phone": 0.025, "unresolvable_address": 0.020,
                        "address_variant": 0.200, "bad_stats_code": 0.010, "wrong_code": 0.010, "stale": 0.030,
                        "duplicate": 0.005, "mojibake": 0.003},
                 columns={"bad_check_digit": ("id_number",), "fullwidth_digits": ("id_number",),
                          "missing_required": ("name", "guardian_name"), "bad_date": ("birth_date",),
                          "bad_phone": ("guardian_phone",), "unresolvable_address": ("address",),
                          "address_variant": ("address",), "bad_stats_code": ("village_code",),
                          "wrong_code": ("care_type",), "stale": ("visited_date",), "duplicate": ("child_id",)})),
    # 维权案件 ≈97% valid (errors: receipt date, case type, a missing applicant; phone and division warn).
    FeedSpec("fulian.weiquan", records=_weiquan_grid, date_format=DATE, timestamp_format=TS, delivery_mode="delta",
             changed=lambda rec, ctx: True,  # a delta day's records are already only that day's changes
             defects=FeedDefects(
                 rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.008, "bad_phone": 0.020,
                        "bad_division": 0.010},
                 columns={"bad_date": ("received_date",), "wrong_code": ("case_type",),
                          "missing_required": ("applicant_name",), "bad_phone": ("applicant_phone",),
                          "bad_division": ("division_code",)})),
)
