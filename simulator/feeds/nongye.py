"""农业农村局: two xlsx workbooks.

- 行政村与自然村 (村名录): the world's 村委会 (行政村, 12-digit 统计用区划代码) each followed by its 自然村 (14-digit
  codes), with households and registered persons of its grids, a point, its Party secretary (a resident)
  and whether it has its 村级综合服务设施 (有/无; blank for a 自然村).
  The city bureau compiles what each county's bureau fills in, so the workbook has one sheet per county
  (袁州区, 丰城市 …) and a plain header on row 1 (the county's export carries no title).
- 防止返贫监测对象: registered households of rural (村委会) grids under monitoring (about 2% of them: the
  country counts some seven million monitored persons), one row per member, dates YYYY年MM月DD日; a title
  row above the header.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.feeds.world_damage import damage as apply_damage, mutation
from simulator.geography import DISTRICTS
from simulator.people import HUKOU
from simulator.world.divisions import VILLAGE

CREATOR = "宜春市农业农村局"
DISTRICT_NAME = {d.code: d.name for d in DISTRICTS}

# ---- 行政村与自然村 -----------------------------------------------------------------------------------------
WRONG_VILLAGE_KINDS = ("村委会", "村民小组", "社区", "组")


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared in proportion to ``weights``, summing exactly (largest remainders)."""
    shares = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in shares]
    for i in sorted(range(len(out)), key=lambda i: out[i] - shares[i])[: total - sum(out)]:
        out[i] += 1
    return out


def _cun(wctx, st) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    totals: dict[str, list] = {}  # 行政村 code → [households, registered persons, its grids' adults]
    for g in world.grids:
        t = totals.setdefault(g.village_code, [0, 0, []])
        t[0] += g.households
        t[1] += g.persons - g.floating
        t[2].extend(g.adults)

    mutate = mutation(rng, "行政村与自然村", wrong=WRONG_VILLAGE_KINDS)
    county: list[Record] = []
    for t in world.townships:  # by county, then township code: one sheet per county
        if county and county[0].values["division_code"] != t.district_code:
            apply_damage(county, st.defects, rng, mutate, lambda kind, column, rec: bool(rec.values[column]))
            yield from county
            county = []
        for v in t.villages:
            if v.kind != VILLAGE:  # 社区 are not villages: the 民政 register has them
                continue
            households, registered, adults = totals.get(v.code, [0, 0, []])
            vr = random.Random(f"{world.seed}/nongye/cun/{v.code}")
            secretary = vr.choice(adults).name if adults else ""
            county.append(Record(values={
                "village_code": v.code, "name": v.name, "village_kind": "行政村", "parent_code": "",
                "township": t.name, "division_code": t.district_code, "households": str(households),
                "population": str(registered), "lon": str(round(v.lon, 6)), "lat": str(round(v.lat, 6)),
                "secretary": secretary, "service_facility": "有" if v.has_service_facility(world.seed) else "无",
            }, entity_key=v.code, context=v))
            # 自然村 of one 行政村 differ in size; their households and persons add up to the village's
            sizes = [vr.uniform(0.5, 1.5) for _ in v.natural_villages]
            for nv, hh, pop in zip(v.natural_villages, _split(households, sizes), _split(registered, sizes)):
                county.append(Record(values={
                    "village_code": nv.code, "name": nv.name, "village_kind": "自然村", "parent_code": v.code,
                    "township": t.name, "division_code": t.district_code, "households": str(hh),
                    "population": str(pop), "lon": str(round(nv.lon, 6)), "lat": str(round(nv.lat, 6)),
                    "secretary": "", "service_facility": "",
                }, entity_key=nv.code, context=nv))
    apply_damage(county, st.defects, rng, mutate, lambda kind, column, rec: bool(rec.values[column]))
    yield from county


def _county_sheet(rec: Record) -> str:
    # The county a 行政村 or 自然村 belongs to, from its true code: a damaged 县级区划代码 stays on its sheet.
    return DISTRICT_NAME[rec.entity_key[:6]]


def _cun_options(contract, date) -> dict:
    return {"title": None, "sheet_of": _county_sheet, "numeric": ("households", "population", "lon", "lat"),
            "created": dt.datetime.combine(date, dt.time(8)), "creator": CREATOR}


# ---- 防止返贫监测对象 ---------------------------------------------------------------------------------------
DATE = "%Y年%m月%d日"
SHARE = 0.02  # of registered households in rural (村委会) grids
MONITOR_TYPES = (("脱贫不稳定户", 0.45), ("边缘易致贫户", 0.40), ("突发严重困难户", 0.15))
RISKS = (("因病", 0.34), ("因残", 0.16), ("因学", 0.07), ("因意外事故", 0.07), ("因务工就业不稳", 0.16),
         ("缺劳动力", 0.10), ("因自然灾害", 0.05), ("因产业项目失败", 0.05))
WRONG_MONITOR_TYPES = ("监测户", "脱贫户", "一般农户", "低保户")
MONITORING_SINCE = dt.date(2021, 1, 1)  # the monitoring mechanism of the 巩固拓展脱贫攻坚成果 period


def _pick(rng: random.Random, table) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _fanpin(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    info = ctx.world_grid
    if info.is_urban:
        return []
    recs = []
    for hh in ctx.grid.households:
        if hh.population_type != HUKOU or not damage.chosen(hh.household_id, "nongye.fanpin", SHARE):
            continue
        identified = MONITORING_SINCE + dt.timedelta(days=rng.randint(0, (env.as_of - MONITORING_SINCE).days - 20))
        # Households identified long ago have mostly had their risk removed (but stay on the roll a while).
        eliminated = rng.random() < (0.7 if (env.as_of - identified).days > 365 else 0.25)
        monitor_type, risk = _pick(rng, MONITOR_TYPES), _pick(rng, RISKS)
        reviewed = max(identified, defects.healthy_timestamp(env, rng).date())
        phones = [m.phone for m in hh.members if m.phone]
        household_no = f"{info.village_code}{hh.household_id[-7:]}"
        for seq, p in enumerate(hh.members, 1):
            updated = reviewed
            move = ctx.moved.get(p.person_key)
            if move is not None:  # the village's 帮扶 record follows the member's new room
                updated = max(updated, move.at.date())
            recs.append(Record(values={
                "member_id": f"{household_no}{seq:02d}", "household_id": household_no, "name": p.name,
                "id_number": p.id_number, "relation_to_head": p.relation, "monitor_type": monitor_type,
                "risk": risk, "risk_eliminated": "是" if eliminated else "否", "village_code": info.village_code,
                "phone": phones[0] if phones else "", "identified_date": identified.strftime(DATE),
                "updated_at": updated.strftime(DATE),
            }, entity_key=p.person_key, context=p))

    # The review time (``updated_at``) is a date here (timestamp_format is DATE): a stale one is an old review.
    damage.inject(recs, st.defects, env, rng, person_of=lambda rec, col: rec.context, wrong=WRONG_MONITOR_TYPES,
                  what="防止返贫监测对象")
    return recs


def _fanpin_options(contract, date) -> dict:
    return {"title": f"宜春市防止返贫监测对象信息表（{date:%Y年%m月}）", "created": dt.datetime.combine(date, dt.time(9)),
            "creator": "宜春市农业农村局（乡村振兴局）"}


FEEDS = (
    # ≈96% valid at defaults (a reference list kept by the counties: codes mistyped, a 村类型 outside its
    # list, a name or township left out, a village listed twice).
    FeedSpec("nongye.cun", world_records=_cun, sink_options=_cun_options, defects=FeedDefects(
        rates={"bad_stats_code": 0.010, "bad_division": 0.008, "wrong_code": 0.010, "missing_required": 0.008,
               "duplicate": 0.005},
        columns={"bad_stats_code": ("parent_code",), "bad_division": ("division_code",),
                 "wrong_code": ("village_kind",), "missing_required": ("name", "township"),
                 "duplicate": ("village_code",)})),
    # ≈89% valid at defaults: a basic dataset below the 90% target, filled in by village cadres (ID numbers,
    # review dates older than the 180-day cycle, mistyped village codes).
    FeedSpec("nongye.fanpin", _fanpin, date_format=DATE, timestamp_format=DATE, sink_options=_fanpin_options,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.010, "fullwidth_digits": 0.010,
                        "missing_required": 0.010, "bad_date": 0.010, "bad_phone": 0.020, "stale": 0.030,
                        "bad_stats_code": 0.010, "wrong_code": 0.010, "duplicate": 0.008},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "bad_date": ("identified_date",), "bad_phone": ("phone",), "stale": ("updated_at",),
                          "bad_stats_code": ("village_code",), "wrong_code": ("monitor_type",),
                          "duplicate": ("member_id",)})),
)
