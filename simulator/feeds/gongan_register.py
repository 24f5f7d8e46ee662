"""公安局 registers beyond 户籍/流动人口: 出租房屋 (以房管人), 吸毒人员 (特殊人群) and 户籍变动 (daily changes).

出租房屋 writes dates as YYYY-MM-DD; 吸毒人员 and 户籍变动 write dates as YYYYMMDD (the front-end export's
default), timestamps as ``YYYY-MM-DD HH:MM:SS``. Each register draws its persons and rooms from the grid.
"""

from __future__ import annotations

import datetime as dt
import random

from simulator import defects
from simulator.address import standard_address
from simulator.defects import Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.people import HUKOU, LIUDONG

DASH_DATE = "%Y-%m-%d"
PLAIN_DATE = "%Y%m%d"
TIMESTAMP = "%Y-%m-%d %H:%M:%S"

_RENTAL_USES = (("居住", 0.86), ("经营", 0.08), ("生产", 0.02), ("仓储", 0.02), ("其他", 0.02))
_RISK = (("放心", 0.78), ("关注", 0.18), ("严管", 0.04))
_CONTROL = (("社区戒毒", 0.22), ("社区康复", 0.30), ("强制隔离戒毒", 0.08), ("戒断三年未复吸", 0.36), ("其他", 0.04))
_DRUGS = ("海洛因", "甲基苯丙胺（冰毒）", "氯胺酮", "大麻", "多种")
_OFFICERS = ("刘警官", "陈警官", "黄警官", "李警官", "张警官", "杨警官")
XIDU_SHARE = 0.004  # of persons aged 18–65 (a city of 5 M registers ~10–15 thousand)
CHANGE_SHARE = 0.01  # 户籍 residents with a transaction in the month before the full load


def _pick(rng: random.Random, table):
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def police_station(h) -> str:
    return f"宜春市公安局{h.district_name}分局{h.street[:2]}派出所"


def _age(p, on: dt.date) -> int:
    return on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))


# ---- 出租房屋 -----------------------------------------------------------------------------------------

def _chuzu(ctx, st) -> list[Record]:
    grid, env, rng = ctx.grid, st.env, st.rng
    tenants: dict[str, list] = {}
    for hh in grid.households:
        if hh.population_type == LIUDONG:
            tenants.setdefault(hh.house.house_id, []).extend(hh.members)
    recs = []
    for h in grid.houses:
        if h.house_id not in grid.rented:
            continue
        landlord = grid.owners[h.house_id]
        living = tenants.get(h.house_id, [])
        start = min((p.registered_date for p in living), default=env.as_of - dt.timedelta(days=rng.randint(30, 700)))
        start = min(start, env.as_of - dt.timedelta(days=1))
        end = start + dt.timedelta(days=365 * rng.choice((1, 1, 2, 3)))
        updated = defects.healthy_timestamp(env, rng)
        if updated.date() < start:
            updated = dt.datetime.combine(start, dt.time(10)) + dt.timedelta(seconds=rng.randrange(6 * 3600))
        recs.append(Record(
            values={
                "rental_id": f"CZ{h.house_id[1:]}",
                "house_address": standard_address(h),
                "division_code": h.division_code,
                "landlord_id_number": landlord.id_number,
                "landlord_name": landlord.name,
                "landlord_phone": landlord.phone,
                "rental_use": _pick(rng, _RENTAL_USES),
                "tenant_count": str(len(living) or 1),
                "lease_start": start.strftime(DASH_DATE),
                "lease_end": end.strftime(DASH_DATE),
                "risk_level": _pick(rng, _RISK),
                "police_station": police_station(h),
                "grid_code": h.grid_code,
                "updated_at": updated.strftime(TIMESTAMP),
            },
            entity_key=h.house_id,
            context=h,
        ))
    damage.inject(recs, st.defects, env, rng,
                  person_of=lambda rec, col: ctx.grid.owners[rec.entity_key],
                  house_of=lambda rec, col: rec.context)
    return recs


# ---- 吸毒人员 -----------------------------------------------------------------------------------------

def _xidu(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for p in ctx.people:
        if not 18 <= _age(p, env.as_of) <= 65 or not damage.chosen(p.person_key, "gongan.xidu", XIDU_SHARE):
            continue
        found = max(p.birth_date + dt.timedelta(days=365 * 16),
                    env.as_of - dt.timedelta(days=rng.randint(200, 6000)))
        visited = env.as_of - dt.timedelta(days=rng.randint(1, (env.reverify_days or 90) - 30))
        visited_at = dt.datetime.combine(visited, dt.time(9)) + dt.timedelta(seconds=rng.randrange(9 * 3600))
        recs.append(Record(
            values={
                "control_id": f"XD{p.house.division_code}{p.person_key[-8:].rjust(8, '0')}",
                "id_number": p.id_number,
                "name": p.name,
                "sex": "1" if p.male else "2",
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "control_status": _pick(rng, _CONTROL),
                "first_found": found.strftime(PLAIN_DATE),
                "drug_type": rng.choice(_DRUGS),
                "control_officer": rng.choice(_OFFICERS),
                "phone": p.phone,
                "grid_code": p.house.grid_code,
                "visited_at": visited_at.strftime(TIMESTAMP),
            },
            entity_key=p.person_key,
            context=p,
        ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


# ---- 户籍变动 -----------------------------------------------------------------------------------------

def _biandong_record(p, tx: str, change_type: str, reason: str, at: dt.datetime, from_address: str,
                     to_address: str) -> Record:
    return Record(
        values={
            "transaction_id": tx,
            "id_number": p.id_number,
            "name": p.name,
            "change_type": change_type,
            "change_date": at.strftime(PLAIN_DATE),
            "change_reason": reason,
            "household_id": p.household_id,
            "from_address": from_address,
            "to_address": to_address,
            "division_code": p.house.division_code,
            "police_station": police_station(p.house),
            "processed_at": at.strftime(TIMESTAMP),
        },
        entity_key=p.person_key,
        context=p,
    )


def _hukou_biandong(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    if ctx.day == 0:
        # The full load carries the last month's transactions of this grid's registered residents.
        for p in ctx.people:
            if p.population_type != HUKOU or not damage.chosen(p.person_key, "gongan.hukou_biandong", CHANGE_SHARE):
                continue
            at = dt.datetime.combine(env.as_of - dt.timedelta(days=rng.randint(1, 30)), dt.time(8, 30)) \
                + dt.timedelta(seconds=rng.randrange(8 * 3600))
            at = max(at, dt.datetime.combine(p.birth_date, dt.time(9)))
            if (env.as_of - p.birth_date).days < 40:
                change_type, reason, src, dst = "出生登记", "新生儿落户", "", standard_address(p.house)
            elif rng.random() < 0.5:
                change_type, reason = "项目变更", rng.choice(("文化程度变更", "服务处所变更", "婚姻状况变更"))
                src = dst = ""
            else:
                change_type, reason = "迁入", rng.choice(("投靠亲属", "购房落户", "工作调动"))
                src, dst = "江西省南昌市东湖区八一大道" + f"{rng.randint(1, 400)}号", standard_address(p.house)
            tx = f"HJ{at:%Y%m%d}{p.person_key[-8:].rjust(8, '0')}"
            recs.append(_biandong_record(p, tx, change_type, reason, at, src, dst))
    else:
        houses = {h.house_id: h for h in ctx.grid.houses}
        for p in ctx.people:
            move = ctx.moved.get(p.person_key)
            if p.population_type != HUKOU or move is None or move.day != ctx.day:
                continue
            src = standard_address(houses[move.from_house]) if move.from_house in houses else ""
            tx = f"HJ{move.at:%Y%m%d}9{move.no:07d}"
            recs.append(_biandong_record(p, tx, "迁入", "市内迁移", move.at, src, standard_address(p.house)))
    damage.inject(recs, st.defects, env, rng, person_of=lambda rec, col: rec.context)
    return recs


def _every_record(rec, ctx) -> bool:
    """The day's records are already only that day's transactions."""
    return True


FEEDS = (
    FeedSpec("gongan.chuzu", _chuzu, date_format=DASH_DATE),
    FeedSpec("gongan.xidu", _xidu, date_format=PLAIN_DATE),
    FeedSpec("gongan.hukou_biandong", _hukou_biandong, date_format=PLAIN_DATE, delivery_mode="delta",
             changed=_every_record),
)
