"""司法局: three xlsx workbooks, dates written YYYY-MM-DD.

- 刑满释放人员 (安置帮教): released prisoners drawn from the registered adults of each grid (mostly men);
  a title row above the header.
- 社区矫正对象: residents under community correction (缓刑, 假释, 暂予监外执行, 管制), registered or floating,
  each with the 司法所 of his township; a title row above a two-row merged header (基本信息 | 矫正信息).
- 人民调解案件: the world's disputes of the year before the export, one sheet per month of acceptance, each
  sheet with its title; parties are residents of the dispute's grid, the committee its village's.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.address import standard_address
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage, world_damage
from simulator.feeds.registry import FeedSpec
from simulator.people import HUKOU
from simulator.world import events as world_events
from simulator.world.persons import name as person_name

DATE = "%Y-%m-%d"
XINGMAN_SHARE = (0.008, 0.0015)  # of registered men / women aged 20–70
CREATOR = "宜春市司法局"
_CRIMES = (("盗窃罪", 0.30), ("诈骗罪", 0.15), ("故意伤害罪", 0.12), ("危险驾驶罪", 0.12), ("寻衅滋事罪", 0.08),
           ("开设赌场罪", 0.06), ("走私、贩卖、运输、制造毒品罪", 0.07), ("交通肇事罪", 0.05), ("抢劫罪", 0.05))
_PRISONS = ("江西省洪都监狱", "江西省赣西监狱", "江西省豫章监狱", "宜春市看守所", "江西省女子监狱")


def _age(p, on: dt.date) -> int:
    return on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))


def _xingman(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for p in ctx.people:
        share = XINGMAN_SHARE[0] if p.male else XINGMAN_SHARE[1]
        if (p.population_type != HUKOU or not 20 <= _age(p, env.as_of) <= 70
                or not damage.chosen(p.person_key, "sifa.xingman", share)):
            continue
        crime = rng.choices([c for c, _ in _CRIMES], weights=[w for _, w in _CRIMES])[0]
        months = rng.choice((6, 8, 10, 12, 18, 24, 36, 60, 84))
        released = env.as_of - dt.timedelta(days=rng.randint(20, 5 * 365))
        prison = "江西省女子监狱" if not p.male else rng.choice(_PRISONS[:4])
        recs.append(Record(
            values={
                "assist_id": f"AZ{p.house.division_code}{released:%Y}{p.person_key[-6:]}",
                "name": p.name,
                "id_number": p.id_number,
                "sex": p.sex,
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "crime": crime,
                "sentence": f"{months // 12}年{months % 12}个月" if months % 12 else f"{months // 12}年",
                "released_date": released.strftime(DATE),
                "prison": prison,
                "resettled": "是" if rng.random() < 0.85 else "否",
                "risk_level": "是" if rng.random() < 0.12 else "否",
                "updated_at": defects.healthy_timestamp(env, rng).strftime(DATE),
            },
            entity_key=p.person_key,
            context=p,
        ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


def _xingman_options(contract, date) -> dict:
    return {"title": f"宜春市刑满释放人员安置帮教信息表（{date:%Y年%m月%d日}导出）",
            "created": dt.datetime.combine(date, dt.time(7)), "creator": CREATOR}




# ---- 社区矫正对象 -------------------------------------------------------------------------------------------
# Community correction is carried out where the person lives (社区矫正法 §17), so registered and floating
# residents alike; about 0.05% of the population is under it at any time (≈700,000 of 1.41 billion), nine in
# ten of them men. Shares of residents aged 18–75, by sex:
JIAOZHENG_SHARE = (0.0014, 0.0002)
JIAOZHENG_AGES = (18, 75)
# (类别, weight, (shortest, longest) term in months): 缓刑 probation is 1–5 years, 管制 3 months–2 years;
# 假释 and 暂予监外执行 run for the rest of the sentence.
CORRECTION_TYPES = (("缓刑", 0.86, (12, 60)), ("假释", 0.07, (6, 36)), ("暂予监外执行", 0.05, (6, 36)),
                    ("管制", 0.02, (3, 24)))
_JZ_CRIMES = (("危险驾驶罪", 0.30), ("盗窃罪", 0.12), ("帮助信息网络犯罪活动罪", 0.10), ("诈骗罪", 0.08),
              ("交通肇事罪", 0.08), ("故意伤害罪", 0.08), ("开设赌场罪", 0.06), ("非法吸收公众存款罪", 0.04),
              ("滥伐林木罪", 0.04), ("寻衅滋事罪", 0.05), ("掩饰、隐瞒犯罪所得罪", 0.05))
SUPERVISION_LEVELS = (("严管", 0.15), ("普管", 0.70), ("宽管", 0.15))


def _pick(rng, table):
    return rng.choices([row[0] for row in table], weights=[row[1] for row in table])[0]


def _jiaozheng_drawn(ctx, st) -> list[Record]:
    """Draw the grid's persons under correction; they are sent once the world names their 司法所 (below)."""
    env, rng = st.env, st.rng
    township = ctx.world_grid.township_code
    stash = st.counters.setdefault("jiaozheng", [])
    for p in ctx.people:
        if (not JIAOZHENG_AGES[0] <= _age(p, env.as_of) <= JIAOZHENG_AGES[1]
                or not damage.chosen(p.person_key, "sifa.jiaozheng", JIAOZHENG_SHARE[0 if p.male else 1])):
            continue
        kind = _pick(rng, CORRECTION_TYPES)
        shortest, longest = next(t for name, _, t in CORRECTION_TYPES if name == kind)
        months = rng.randint(shortest, longest)
        term = dt.timedelta(days=round(months * 30.44))
        start = env.as_of - dt.timedelta(days=rng.randint(7, term.days - 7))  # still under correction today
        updated = defects.healthy_timestamp(env, rng).date()
        move = ctx.moved.get(p.person_key)
        if move is not None:  # the 司法所 records the new residence the day it learns of the move
            updated = max(updated, move.at.date())
        stash.append((township, Record(
            values={
                "case_id": f"JZ{p.house.division_code}{start:%Y}{p.person_key[1:]}",
                "name": p.name,
                "id_number": p.id_number,
                "sex": p.sex,
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "correction_type": kind,
                "crime": _pick(rng, _JZ_CRIMES),
                "start_date": start.strftime(DATE),
                "end_date": (start + term - dt.timedelta(days=1)).strftime(DATE),
                "supervision_level": _pick(rng, SUPERVISION_LEVELS),
                "justice_office": "",
                "updated_at": max(updated, start).strftime(DATE),
            },
            entity_key=p.person_key,
            context=p,
        )))
    return []


def _jiaozheng(wctx, st) -> Iterator[Record]:
    """The roster, in grid order: each person's 司法所 is the one of his township (乡镇/街道), which only the
    finished world names; the grids' draws wait in the feed's state until then (≈0.05% of residents)."""
    recs = []
    for township, rec in st.counters.pop("jiaozheng", []):
        rec.values["justice_office"] = wctx.world.township_by_code[township].name + "司法所"
        recs.append(rec)
    damage.inject_about_residents(recs, st.defects, st.env, st.rng)
    return iter(recs)


def _jiaozheng_options(contract, date) -> dict:
    return {"title": f"宜春市社区矫正对象花名册（{date:%Y年%m月%d日}）",
            "created": dt.datetime.combine(date, dt.time(7)), "creator": CREATOR}


# ---- 人民调解案件 -------------------------------------------------------------------------------------------
# The world's disputes (events of kind "dispute") as the 人民调解信息系统 holds them: the year before the export,
# one sheet per month of acceptance — the register (人民调解案件登记台账) is kept and reported month by month
# (人民调解工作月报), so that is how 司法局 staff export it.
TIAOJIE_TYPES = {"婚姻家庭": "婚姻家庭", "邻里纠纷": "邻里", "房屋宅基地": "房屋宅基地", "合同纠纷": "合同",
                 "损害赔偿": "损害赔偿", "劳动争议": "劳动争议", "其他": "其他"}
WRONG_TIAOJIE_TYPES = ("邻里纠纷", "家庭纠纷", "合同纠纷", "土地纠纷", "7")
_SUMMARIES = {
    "婚姻家庭": ("夫妻因家庭琐事发生矛盾，一方要求离婚", "赡养老人费用分担发生争执", "子女抚养费支付发生纠纷"),
    "邻里": ("相邻通道通行发生争执", "房屋漏水影响楼下住户", "装修噪音引发邻里矛盾", "饲养宠物扰邻"),
    "房屋宅基地": ("宅基地界址不清发生争议", "建房越界占用相邻土地", "房屋买卖过户发生纠纷"),
    "合同": ("工程款结算发生争议", "房屋租赁合同押金退还纠纷", "借款到期未还"),
    "损害赔偿": ("交通事故赔偿协商不成", "人身损害赔偿发生争议", "家畜毁坏农作物赔偿纠纷"),
    "劳动争议": ("拖欠农民工工资", "工伤赔偿协商不成", "解除劳动关系经济补偿争议"),
    "其他": ("山林权属发生争议", "村集体收益分配争议", "物业服务费用纠纷"),
}


def _month_sheet(rec: Record) -> str:
    accepted = rec.context["reported_at"]  # the true date: a damaged 受理日期 stays in its month's sheet
    return f"{accepted.year}年{accepted.month}月"


def _tiaojie(wctx, st) -> Iterator[Record]:
    world, rng, env = wctx.world, st.rng, st.env
    # A full export every day: the cases accepted in the year before the export date, as the system shows
    # them at that date's start (later steps blank, cases still open are 调解中).
    at = dt.datetime.combine(wctx.date, dt.time())
    events = world_events.history(world, wctx.date - dt.timedelta(days=365), wctx.date, ("dispute",), at=at)

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":
            return defects.bad_date(rec.context["reported_at"].date(), env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_TIAOJIE_TYPES)
        if kind == "missing_required":
            return ""
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits"):
            return defects.bad_id(kind, rec.values[column], rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        raise ValueError(f"defect {kind} does not apply to 人民调解案件")

    def eligible(kind: str, column: str, rec: Record) -> bool:
        value = rec.values[column]
        if kind in ("bad_check_digit", "legacy_15_digit", "fullwidth_digits") and len(value) != 18:
            return False  # no ID number taken down
        if kind == "legacy_15_digit":
            return value[6:10] <= "1984"  # a first-generation number only for those born before 1985
        return kind != "bad_date" or bool(value)

    month: list[Record] = []
    for e in events:
        rec = _tiaojie_record(world, e)
        if month and _month_sheet(month[0]) != _month_sheet(rec):
            world_damage.damage(month, st.defects, rng, mutate, eligible)  # a month (one sheet) at a time
            yield from month
            month = []
        month.append(rec)
    world_damage.damage(month, st.defects, rng, mutate, eligible)
    yield from month


def _tiaojie_record(world, e: dict) -> Record:
    # Parties and wording are drawn per case (a stream of its own), so each day's export names the same ones.
    er = random.Random(f"{world.seed}/tiaojie/{e['event_id']}")
    grid = world.grid_by_code[e["grid_code"]]
    parties = er.sample(grid.adults, k=min(2, len(grid.adults)))
    applicant = parties[0] if parties else None
    respondent = parties[1].name if len(parties) > 1 else person_name(er, er.random() < 0.6)
    dispute_type = TIAOJIE_TYPES[e["category"]]
    if e["closed_at"] is None:
        result = "调解中"
    elif e["outcome"] == "调解成功":
        result = "调解成功"
    else:
        result = "终止调解" if er.random() < 0.3 else "调解不成功"
    return Record(values={
        "case_id": e["event_id"],
        "accepted_date": e["reported_at"].strftime(DATE),
        "dispute_type": dispute_type,
        "applicant_name": applicant.name if applicant else person_name(er, er.random() < 0.5),
        "applicant_id_number": applicant.id_number if applicant else "",
        "respondent_name": respondent,
        "summary": er.choice(_SUMMARIES[dispute_type]),
        "committee": world.village_by_code[e["village_code"]].name + "人民调解委员会",
        "division_code": e["district_code"],
        "result": result,
        "agreement_form": ("书面" if er.random() < 0.85 else "口头") if result == "调解成功" else "",
        "closed_date": "" if e["closed_at"] is None else e["closed_at"].strftime(DATE),
    }, entity_key=e["event_id"], context=e)


def _tiaojie_options(contract, date) -> dict:
    return {"title": lambda sheet: f"宜春市人民调解案件登记台账（{sheet}）", "sheet_of": _month_sheet,
            "created": dt.datetime.combine(date, dt.time(6, 30)), "creator": CREATOR}


FEEDS = (
    FeedSpec("sifa.xingman", _xingman, date_format=DATE, timestamp_format=DATE, sink_options=_xingman_options),
    # ≈91% valid at defaults (special-group register, weak gate; a 90-day visiting cycle makes stale records
    # the commonest fault).
    FeedSpec("sifa.jiaozheng", _jiaozheng_drawn, world_records=_jiaozheng, date_format=DATE, timestamp_format=DATE,
             sink_options=_jiaozheng_options, defects=FeedDefects(
                 rates={"bad_check_digit": 0.012, "legacy_15_digit": 0.008, "missing_required": 0.010,
                        "bad_date": 0.008, "unresolvable_address": 0.012, "address_variant": 0.150, "stale": 0.020,
                        "bad_division": 0.008, "duplicate": 0.005},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "missing_required": ("name", "address"), "bad_date": ("start_date",),
                          "unresolvable_address": ("address",), "address_variant": ("address",),
                          "stale": ("updated_at",), "bad_division": ("division_code",), "duplicate": ("case_id",)})),
    # ≈97% valid at defaults (an event register: errors are a bad 受理日期, a type outside the code list, a
    # missing party or committee, a duplicate; ID numbers and division codes are warnings here).
    FeedSpec("sifa.tiaojie", world_records=_tiaojie, date_format=DATE, timestamp_format=DATE,
             sink_options=_tiaojie_options, defects=FeedDefects(
                 rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.008, "bad_check_digit": 0.020,
                        "bad_division": 0.010, "duplicate": 0.005},
                 columns={"bad_date": ("accepted_date",), "wrong_code": ("dispute_type",),
                          "missing_required": ("applicant_name", "committee"),
                          "bad_check_digit": ("applicant_id_number",), "bad_division": ("division_code",),
                          "duplicate": ("case_id",)})),
)
