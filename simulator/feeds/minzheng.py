"""民政局: 低保/特困 保障对象, 婚姻登记, 社会组织 and 殡葬 火化登记.

低保/特困 保障对象 is a legacy .xls export (header on row 1, no title), one row per member.

Assisted households are drawn from the registered households of each grid; all their members are listed
under one 保障证号. Dates are written YYYY/MM/DD, as the 社会救助 system exports them.
"""

from __future__ import annotations

import datetime as dt
import random

from simulator.address import standard_address
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.people import HUKOU
from simulator.dates import add_years

DATE = "%Y/%m/%d"
DIBAO_SHARE = 0.03  # of registered households (Yichun: ~3–4% of residents receive 低保 or 特困 support)
_CITY_DIVISIONS = ("360902",)  # 袁州区: urban 低保; counties mostly rural


def _dibao(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for hh in ctx.grid.households:
        if hh.population_type != HUKOU or not damage.chosen(hh.household_id, "minzheng.dibao", DIBAO_SHARE):
            continue
        urban = hh.house.division_code in _CITY_DIVISIONS or rng.random() < 0.3
        alone = len(hh.members) == 1
        kind = ("城市" if urban else "农村") + ("特困" if alone and rng.random() < 0.6 else "低保")
        per_head = (rng.randint(700, 900) if urban else rng.randint(500, 700)) if kind.endswith("低保") \
            else rng.randint(1000, 1300)
        approved = env.as_of - dt.timedelta(days=rng.randint(60, 8 * 365))
        reviewed = max(approved, env.as_of - dt.timedelta(days=rng.randint(1, (env.reverify_days or 365) - 30)))
        head_phone = hh.members[0].phone
        for no, p in enumerate(hh.members, 1):
            recs.append(Record(
                values={
                    "member_id": f"MZ{hh.household_id}{no:02d}",
                    "household_id": f"BZ{hh.household_id}",
                    "name": p.name,
                    "id_number": p.id_number,
                    "relation_to_head": p.relation,
                    "assistance_type": kind,
                    "monthly_amount": f"{per_head:.2f}" if no == 1 else "",
                    "address": standard_address(hh.house),
                    "division_code": hh.house.division_code,
                    "phone": head_phone if no == 1 else "",
                    "approved_date": approved.strftime(DATE),
                    "reviewed_date": reviewed.strftime(DATE),
                },
                entity_key=p.person_key,
                context=p,
            ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


def _dibao_options(contract, date) -> dict:
    return {"title": None}


FEEDS = (
    FeedSpec("minzheng.dibao", _dibao, date_format=DATE, timestamp_format=DATE, sink_options=_dibao_options),
)


# ---- 婚姻登记 ------------------------------------------------------------------------------------------

HUNYIN_DATE = "%Y-%m-%d"
MARRIED_RECENTLY = 0.03  # of couples in a household: married within the last year (~6 per 1,000 residents)
_OFFICE = "{district}民政局婚姻登记处"


def _hunyin(ctx, st) -> list[Record]:
    """One 结婚登记 per couple (户主 and 配偶) registered during the last year; delta days send none
    (the simulated city has no marriages yet)."""
    env, rng = st.env, st.rng
    recs = []
    if ctx.day > 0:
        return recs
    for hh in ctx.grid.households:
        head = hh.members[0]
        spouse = next((p for p in hh.members[1:] if p.relation == "配偶"), None)
        if spouse is None or head.male == spouse.male or not damage.chosen(hh.household_id, "minzheng.hunyin",
                                                                              MARRIED_RECENTLY):
            continue
        man, woman = (head, spouse) if head.male else (spouse, head)
        youngest = max(add_years(man.birth_date, 22), add_years(woman.birth_date, 20))
        registered = env.as_of - dt.timedelta(days=rng.randint(1, (env.reverify_days or 365) - 30))
        if registered < youngest:
            continue
        recs.append(Record(
            values={
                "certificate_id": f"J{hh.house.division_code}-{registered:%Y}-{hh.household_id[-6:]}",
                "registration_type": "结婚登记",
                "registered_date": registered.strftime(HUNYIN_DATE),
                "male_name": man.name,
                "male_id_number": man.id_number,
                "female_name": woman.name,
                "female_id_number": woman.id_number,
                "office": _OFFICE.format(district=hh.house.district_name),
                "division_code": hh.house.division_code,
            },
            entity_key=hh.household_id,
            context=(man, woman),
        ))

    def person_of(rec, col):
        return rec.context[0] if col.startswith("male") else rec.context[1]

    damage.inject(recs, st.defects, env, rng, person_of=person_of)
    return recs


def _hunyin_options(contract, date) -> dict:
    return {"title": None, "created": dt.datetime.combine(date, dt.time(6)), "creator": "宜春市民政局"}


FEEDS = FEEDS + (
    FeedSpec("minzheng.hunyin", _hunyin, date_format=HUNYIN_DATE, timestamp_format=HUNYIN_DATE,
             sink_options=_hunyin_options, delivery_mode="delta"),
)


# ---- 社会组织 ------------------------------------------------------------------------------------------

SHEHUI_DATE = "%Y-%m-%d"
CHUNK = 1000  # records damaged together: rates stay stratified, memory stays one chunk
# 业务主管单位 by the kind of organisation (since 2016 行业协会商会 register directly: no 主管单位).
_SUPERVISOR = {"协会": "", "商会": "", "养老院": "{district}民政局", "幼儿园": "{district}教育体育局",
               "社会工作服务中心": "{district}民政局", "慈善基金会": "宜春市民政局"}
_ANNUAL_CHECK = (("合格", 0.82), ("基本合格", 0.09), ("不合格", 0.02), ("未参检", 0.07))
WRONG_ORG_TYPES = ("社团", "民非", "社会服务机构", "协会")
WRONG_STATUS = ("存续", "在业", "有效")


def chunked(items, size: int = CHUNK):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _shehui_zuzhi(wctx, st):
    """The world's social organisations (USCC 51/52/53: 民政-registered 社会团体, 民办非企业单位, 基金会), as the
    登记管理系统 lists them; registered by the district's 民政局 (division = the district)."""
    from simulator.feeds.world_damage import damage, mutation
    from simulator.geography import DISTRICT_BY_CODE

    env, rng = st.env, st.rng
    orgs = (o for o in wctx.world.orgs() if o["category"] == "social_org")
    for chunk in chunked(orgs):
        recs = []
        for o in chunk:
            word = next((w for w in _SUPERVISOR if o["name"].endswith(w)), "")
            district = DISTRICT_BY_CODE[o["district_code"]].name
            recs.append(Record(values={
                "uscc": o["uscc"], "name": o["name"], "org_type": o["org_type"], "legal_rep": o["legal_rep_name"],
                "supervisor": _SUPERVISOR.get(word, "").format(district=district), "address": o["address"] or "",
                "division_code": o["district_code"], "registered_date": o["established_date"].strftime(SHEHUI_DATE),
                "status": "正常" if o["status"] == "存续" else "注销",
                "annual_check": rng.choices([v for v, _ in _ANNUAL_CHECK], weights=[w for _, w in _ANNUAL_CHECK])[0],
            }, entity_key=o["uscc"], context=o))

        mutate = mutation(rng, "社会组织", wrong={"org_type": WRONG_ORG_TYPES, "status": WRONG_STATUS},
                          true_date=lambda rec, col: rec.context["established_date"], env=env)
        damage(recs, st.defects, rng, mutate)
        yield from recs


def _shehui_zuzhi_options(contract, date) -> dict:
    return {"title": None, "created": dt.datetime.combine(date, dt.time(8, 10)), "creator": "宜春市民政局"}


FEEDS = FEEDS + (
    # ≈93% valid: the register is checked yearly (年检), so codes and types are mostly right.
    FeedSpec("minzheng.shehui_zuzhi", world_records=_shehui_zuzhi, date_format=SHEHUI_DATE,
             timestamp_format=SHEHUI_DATE, sink_options=_shehui_zuzhi_options,
             defects=FeedDefects(
                 rates={"bad_uscc": 0.020, "bad_division": 0.010, "bad_date": 0.010, "missing_required": 0.015,
                        "wrong_code": 0.015, "duplicate": 0.005},
                 columns={"bad_uscc": ("uscc",), "bad_division": ("division_code",), "bad_date": ("registered_date",),
                          "missing_required": ("legal_rep", "name"), "wrong_code": ("org_type", "status"),
                          "duplicate": ("uscc",)})),
)


# ---- 殡葬 火化登记 -------------------------------------------------------------------------------------

BINZANG_DATE = "%Y/%m/%d"
BINZANG_TITLE = "宜春市遗体火化登记表（{date:%Y年%m月%d日}）"
CREMATED_SHARE = 0.95  # of the city's deaths cremated in its own funeral homes (Jiangxi: cremation reform)
_LAG = ((0, 0.15), (1, 0.45), (2, 0.30), (3, 0.10))  # days from death to cremation
_FUNERAL_HOME = {"360902": "宜春市殡仪馆"}

def deaths_before(ctx) -> list[dict]:
    """The world's deaths from the as-of date to the day before the delivery (``ctx.vital``: the one replay
    of the world's vital changes every feed of deaths shares — 卫健 死亡医学证明, 公安 户籍注销)."""
    return [c for rows in ctx.vital.values() for c in rows if c["change"] == "death"]


def cremation(world, death: dict) -> dt.date | None:
    """The day the deceased is cremated in the city (None: buried or taken home), a stable draw per person."""
    r = random.Random(f"{world.seed}/minzheng/binzang/{death['person_key']}")
    if r.random() >= CREMATED_SHARE:
        return None
    return death["date"] + dt.timedelta(days=r.choices([d for d, _ in _LAG], weights=[w for _, w in _LAG])[0])


def _binzang_grid(ctx, st) -> list[Record]:
    """Delta day d: the previous day's cremations (the 09:00 export of yesterday's register: deaths of days
    from the as-of date to d-1, cremated 0–3 days after death), drawn from the grid's residents whom the
    world's vital changes say died. Day 0 sends none: the full load is the as-of city, all alive."""
    if ctx.day == 0:
        return []
    if "cremations" not in st.counters:
        world, yesterday = ctx.world, ctx.date - dt.timedelta(days=1)
        st.counters["cremations"] = {
            d["person_key"]: (d, when) for d in deaths_before(ctx) if (when := cremation(world, d)) == yesterday}
    wanted = st.counters["cremations"]
    env, rng = st.env, st.rng
    members: dict[str, list] = {}
    for p in ctx.people:
        members.setdefault(p.household_id, []).append(p)
    recs = []
    for p in ctx.people:
        if p.person_key not in wanted:
            continue
        death, cremated = wanted[p.person_key]
        if death["id_number"] != p.id_number:
            raise ValueError(f"{p.person_key}: the world's death names another ID number")
        family = [m for m in members[p.household_id] if m is not p and (ctx.date - m.birth_date).days >= 18 * 365]
        kin = family[0] if family else None
        division = p.house.division_code
        recs.append(Record(values={
            "cremation_id": f"HH{division}{cremated:%Y%m%d}{int(p.person_key[1:]) % 10**5:05d}",
            "name": p.name, "id_number": p.id_number, "sex": p.sex,
            "death_date": death["date"].strftime(BINZANG_DATE), "cremated_date": cremated.strftime(BINZANG_DATE),
            "funeral_home": _FUNERAL_HOME.get(division, f"{p.house.district_name}殡仪馆"),
            "home_address": standard_address(p.house), "division_code": division,
            "family_name": kin.name if kin else "", "family_phone": kin.phone if kin else "",
        }, entity_key=p.person_key, context=(p, death["date"])))

    from simulator.feeds.world_damage import damage as apply, mutation

    shared = mutation(rng, "火化登记")

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":  # judged on the delivery day: a "future" date must lie after it
            day = rec.context[1]
            return rng.choice((f"{day.year}/13/45", f"{day.year}/02/30", "不详", f"{day.year}年{day.month}月",
                               (ctx.date + dt.timedelta(days=rng.randint(30, 300))).strftime(BINZANG_DATE)))
        return shared(kind, column, rec)

    def eligible(kind: str, column: str, rec: Record) -> bool:
        if kind == "legacy_15_digit":
            return rec.context[0].birth_date.year <= 1984
        return kind != "bad_phone" or bool(rec.values[column])

    apply(recs, st.defects, rng, mutate, eligible)
    return recs


def _binzang_options(contract, date) -> dict:
    return {"title": BINZANG_TITLE.format(date=date)}


def _every_record(rec, ctx) -> bool:
    """The day's records are already only that day's cremations."""
    return True


FEEDS = FEEDS + (
    # ≈93% valid: 火化证明 are typed at the funeral home's desk from the family's papers.
    FeedSpec("minzheng.binzang", _binzang_grid, date_format=BINZANG_DATE,
             timestamp_format=BINZANG_DATE, sink_options=_binzang_options, delivery_mode="delta",
             changed=_every_record,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.015, "missing_required": 0.010,
                        "bad_date": 0.015, "bad_division": 0.010, "bad_phone": 0.020, "duplicate": 0.005},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "missing_required": ("name",), "bad_date": ("death_date", "cremated_date"),
                          "bad_division": ("division_code",), "bad_phone": ("family_phone",),
                          "duplicate": ("cremation_id",)})),
)
