"""教体局: 学校 and 在校学生, UTF-8 CSV with a BOM (the 教育事业统计 and 学籍 systems' exports).

学校 lists the world's schools (:meth:`simulator.world.World.schools`: primary and junior middle schools per
township, senior middle schools per district) under a 10-digit 学校标识码 (``21`` + the district's city code
``3609`` + a 4-digit serial in the world's order of schools), with their credit code (事业单位 ``12…`` or
民办非企业单位 ``52…``), host village and enrolment. The list is assembled from the counties' submissions, some
saved by Excel in GBK: a small ``mojibake`` rate (those rows' bytes do not decode as UTF-8 and are quarantined).

在校学生 lists every school-age resident (6–17, as the world enrols them) under their 全国学籍号 (``G`` + the
公民身份号码, as the 学籍 system issues it) and the 学校标识码 of the world's school that enrols them (the same
code as in 学校). The 学籍 system's export is machine-made: no mixed encodings there. Records are drawn and
damaged grid by grid (names, addresses and guardians come from the grid's residents), kept on disk, and given
their school after the world is finished (the township's schools are known only then).
"""

from __future__ import annotations

import bisect
import random
from array import array
from collections.abc import Iterator

from simulator.defects import FeedDefects, Record
from simulator.address import standard_address
from simulator.feeds import damage as person_damage
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage, mutation

DATE = "%Y-%m-%d"
WRONG_SCHOOL_TYPES = ("中学", "完小", "村小", "初中")
PUPILS_PER_TEACHER = {"小学": 17, "初级中学": 13, "高级中学": 12}


def school_code(serial: int) -> str:
    """学校标识码: 10 digits, ``2`` (中小学) + ``1`` + province and city ``3609`` + serial."""
    return f"213609{serial:04d}"


def xuexiao_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    rng = st.rng
    recs = []
    for serial, (school, students) in enumerate(wctx.world.schools(), 1):
        sr = random.Random(f"{wctx.world.seed}/jiaoti/xuexiao/{school['uscc']}")  # stable per school
        public = school["org_type"] == "事业单位"
        n = school["students"] or 0
        recs.append(Record(values={
            "school_code": school_code(serial), "name": school["name"], "uscc": school["uscc"],
            "school_type": school["school_type"], "ownership": "教育部门" if public else "民办",
            "address": school["address"] or "", "division_code": school["district_code"],
            "village_code": school["village_code"], "students": str(n),
            "teachers": str(max(3, round(n / PUPILS_PER_TEACHER[school["school_type"]] * sr.uniform(0.9, 1.15)))),
            "principal": school["legal_rep_name"], "office_phone": f"0795-{sr.randrange(3_000_000, 8_999_999)}",
        }, entity_key=school["uscc"], context=school))

    # Schools are few (≈ 2 per 1,000 school-age children): one chunk for the city.
    damage(recs, st.defects, rng, mutation(rng, "学校", wrong=WRONG_SCHOOL_TYPES))
    return iter(recs)


# ---- 在校学生 -----------------------------------------------------------------------------------------

GRADES = {"小学": ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"),
          "初级中学": ("七年级", "八年级", "九年级"), "高级中学": ("高一", "高二", "高三")}
LEVEL_OF_AGE = {**{a: "小学" for a in range(6, 12)}, **{a: "初级中学" for a in range(12, 15)},
                **{a: "高级中学" for a in range(15, 18)}}
FIRST_AGE = {"小学": 6, "初级中学": 12, "高级中学": 15}
WRONG_STATUS = ("在校", "正常", "在籍", "1")
_RURAL = ("360921", "360922", "360923", "360924", "360925", "360926")  # counties: more children left behind


def school_age(birth, as_of) -> int:
    """Age in whole years as the world counts it for enrolment (``summarise_grid``)."""
    return (as_of - birth).days * 100 // 36525


def _xuesheng_grid(ctx, st) -> list[Record]:
    from simulator.feeds.zhujian import spill

    env, rng = st.env, st.rng
    members: dict[str, list] = {}
    for p in ctx.people:
        members.setdefault(p.household_id, []).append(p)
    recs = []
    for p in ctx.people:
        age = school_age(p.birth_date, env.as_of)
        if age not in LEVEL_OF_AGE:
            continue
        level = LEVEL_OF_AGE[age]
        adults = [m for m in members[p.household_id] if school_age(m.birth_date, env.as_of) >= 20]
        parents = [m for m in adults if m.relation in ("户主", "配偶")] or adults
        guardian = parents[0] if parents else None
        left_behind = p.house.division_code in _RURAL and rng.random() < 0.06
        recs.append(Record(values={
            "student_id": "G" + p.id_number, "name": p.name, "id_number": p.id_number, "sex": p.sex,
            "birth_date": p.birth_date.strftime(DATE), "school_code": "", "grade": GRADES[level][age - FIRST_AGE[level]],
            "class_name": f"（{rng.randint(1, 8)}）班", "address": standard_address(p.house),
            "guardian_name": guardian.name if guardian else "",
            "guardian_phone": (guardian.phone if guardian and guardian.phone else "") if guardian else "",
            "is_left_behind": "是" if left_behind else "否",
            "status": rng.choices(("在读", "休学"), weights=(992, 8))[0],
        }, entity_key=p.person_key, context=p))

    person_damage.inject(recs, st.defects, env, rng, person_of=lambda rec, col: rec.context,
                         house_of=lambda rec, col: rec.context.house, wrong=WRONG_STATUS, what="在校学生")
    for rec in recs:
        rec.context = int(rec.entity_key[1:])  # the person number: all the world pass needs
    spill(st).add(recs)
    return []


def _enrolment(world) -> tuple[dict[str, array], list[str]]:
    """The world's enrolment as compact arrays: per grid, the school serial of each of its school-age
    residents (aligned with ``GridInfo.child_keys``, which ascend: person numbers are issued in order); the
    学校标识码 of each serial. Four bytes a pupil, so a 5M city's ~650k pupils cost ~2.6 MB."""
    codes = [""]
    school = {g.grid_code: array("I", bytes(4 * len(g.child_keys))) for g in world.grids}
    for serial, (_row, students) in enumerate(world.schools(), 1):
        codes.append(school_code(serial))
        for s in students:
            keys = world.grid_by_code[s["grid_code"]].child_keys
            key = int(s["person_key"][1:])
            i = bisect.bisect_left(keys, key)
            if i == len(keys) or keys[i] != key:
                raise ValueError(f"{s['person_key']} is enrolled but not a school-age resident of {s['grid_code']}")
            school[s["grid_code"]][i] = serial
    return school, codes


def _xuesheng_world(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    from simulator.feeds.zhujian import spill

    school, codes = _enrolment(wctx.world)
    for info, recs in zip(wctx.world.grids, spill(st)):
        keys, serials = info.child_keys, school[info.grid_code]
        for rec in recs:
            i = bisect.bisect_left(keys, rec.context)
            if i == len(keys) or keys[i] != rec.context or not serials[i]:
                raise ValueError(f"{rec.entity_key}: no school of the world enrols this school-age resident")
            rec.values["school_code"] = codes[serials[i]]
            rec.context = None
        yield from recs


FEEDS = (
    # ≈95% valid (the list is small and checked every term; the 统计用区划代码 is a warning).
    FeedSpec("jiaoti.xuexiao", world_records=xuexiao_records, date_format=DATE,
             defects=FeedDefects(
                 rates={"bad_uscc": 0.020, "bad_division": 0.010, "wrong_code": 0.010, "missing_required": 0.010,
                        "bad_stats_code": 0.020, "duplicate": 0.010, "mojibake": 0.010},
                 columns={"bad_uscc": ("uscc",), "bad_division": ("division_code",), "wrong_code": ("school_type",),
                          "missing_required": ("name",), "bad_stats_code": ("village_code",),
                          "duplicate": ("school_code",)})),
)
FEEDS = FEEDS + (
    # ≈93% valid (IDs typed by class teachers; guardians' phones and home addresses are warnings).
    FeedSpec("jiaoti.xuesheng", _xuesheng_grid, world_records=_xuesheng_world, date_format=DATE,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "fullwidth_digits": 0.008, "missing_required": 0.010,
                        "bad_date": 0.010, "bad_phone": 0.030, "unresolvable_address": 0.030,
                        "address_variant": 0.200, "wrong_code": 0.010, "duplicate": 0.008},
                 columns={"bad_check_digit": ("id_number",), "fullwidth_digits": ("id_number",),
                          "missing_required": ("name",), "bad_date": ("birth_date",),
                          "bad_phone": ("guardian_phone",), "unresolvable_address": ("address",),
                          "address_variant": ("address",), "wrong_code": ("status",),
                          "duplicate": ("student_id",)})),
)
