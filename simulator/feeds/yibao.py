"""医保局: 医保参保人员 (paged REST API, ``since=`` on ``updt_time``), one row per insured resident.

Drawn from the grid's residents with the same employment as 人社 (:func:`simulator.feeds.renshe.work_status`):
employees and retired employees are in 职工基本医疗保险 (310), staff of 机关事业单位 as well (their 公务员医疗补助
rides on the same person number), everybody else in 城乡居民基本医疗保险 (390) — ~97% of the registered
population, fewer floating residents (many stay insured at home). Codes follow the national 医保信息平台
(psn_type 11 在职 / 12 退休 / 1501 学生儿童 / 1502 成年居民 / 1503 老年居民).

Delta days serve the day's changes: the newborns of the world's vital changes (enrolled in 390 the day they
are born, the same births 卫健's 出生医学证明 certifies) and enrolments suspended or resumed that day.
"""

from __future__ import annotations

import datetime as dt

from simulator import defects
from simulator.dates import add_years
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec, FeedState, GridContext
from simulator.feeds.renshe import age_on, person_number, work_status
from simulator.feeds.damage import chosen
from simulator.feeds.weijian import vital_today

DATE = "%Y-%m-%d"
TS = "%Y-%m-%d %H:%M:%S"
RESIDENT_COVERAGE = {"户籍": 0.97, "流动": 0.45}
STATUS_CHANGE_PER_DAY = 0.002
WRONG_TYPE = ("31", "职工医保", "391", "410")


def _enrolment(p, on: dt.date) -> tuple[str, str] | None:
    work = work_status(p, on)
    if work in ("enterprise", "civil"):
        return "310", "11"
    if work == "retired":
        return "310", "12"
    if not chosen(p.person_key, "yibao.canbao", RESIDENT_COVERAGE[p.population_type]):
        return None
    age = age_on(p.birth_date, on)
    return "390", "1501" if age < 18 else "1503" if age >= 60 else "1502"


def _changed(rec: Record, ctx: GridContext) -> bool:
    return rec.values["updated_at"].startswith(f"{ctx.date - dt.timedelta(days=1):%Y-%m-%d}")


def _record(person_key: str, p, insurance: str, psn_type: str, begin: dt.date, updated: dt.datetime,
            status: str, name: str, male: bool, birth: dt.date, id_number: str) -> Record:
    return Record(values={
        "psn_no": person_number(person_key, p.house.division_code), "id_number": id_number, "name": name,
        "sex": "1" if male else "2", "birth_date": birth.strftime(DATE), "insurance_type": insurance,
        "psn_type": psn_type, "status": status, "begin_date": begin.strftime(DATE),
        "insured_area": p.house.division_code, "phone": p.phone if p.person_key == person_key else "",
        "updated_at": updated.strftime(TS),
    }, entity_key=person_key, context=p)


def _canbao(ctx: GridContext, st: FeedState) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    yesterday = ctx.date - dt.timedelta(days=1)
    for p in ctx.people:
        enrolled = _enrolment(p, env.as_of)
        if enrolled is None:
            continue
        insurance, psn_type = enrolled
        earliest = dt.date(1999, 1, 1) if insurance == "310" else dt.date(2007, 7, 1)
        start = max(p.birth_date, earliest, add_years(p.birth_date, 18) if insurance == "310" else earliest)
        latest = env.as_of - dt.timedelta(days=20)
        begin = start if start >= latest else start + dt.timedelta(days=rng.randint(0, (latest - start).days))
        status = rng.choices(("1", "2", "4"), weights=(95, 3, 2))[0]
        updated = defects.healthy_timestamp(env, rng)
        if ctx.day > 0 and chosen(p.person_key, f"yibao.canbao/{ctx.date}", STATUS_CHANGE_PER_DAY):
            status = "2" if status == "1" else "1"
            updated = dt.datetime.combine(yesterday, dt.time(15))
        recs.append(_record(p.person_key, p, insurance, psn_type, begin, updated, status, p.name, p.male,
                            p.birth_date, p.id_number))
    if ctx.day > 0:
        people = {p.person_key: p for p in ctx.people}
        for b in vital_today(ctx, "birth"):
            mother = people.get(b["mother_person_key"])
            if mother is None:
                continue
            # a newborn is enrolled at the mother's home, insured from the day of birth (the mother's phone)
            rec = _record(b["person_key"], mother, "390", "1501", b["date"],
                          dt.datetime.combine(yesterday, dt.time(22)), "1", b["name"], b["sex"] == "男",
                          b["birth_date"], b["id_number"])
            rec.values["phone"] = mother.phone
            rec.context = _Newborn(b["birth_date"])
            recs.append(rec)
    _inject(recs, st)
    return recs


class _Newborn:
    """Enough of a person for the damage rules (no 15-digit number for someone born now)."""

    def __init__(self, birth_date: dt.date) -> None:
        self.birth_date = birth_date


def _inject(recs: list[Record], st: FeedState) -> None:
    # Not everybody has a phone on file: a blank one stays blank (``filled``).
    damage.inject(recs, st.defects, st.env, st.rng, person_of=lambda rec, col: rec.context, wrong=WRONG_TYPE,
                  filled=("bad_phone",), what="医保参保")


FEEDS = (
    # ≈93% valid: the national platform checks numbers on entry, but migrated county records were not.
    FeedSpec("yibao.canbao", _canbao, date_format=DATE, timestamp_format=TS,
             changed=_changed,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.010, "fullwidth_digits": 0.005,
                        "missing_required": 0.010, "bad_date": 0.010, "wrong_code": 0.010, "bad_phone": 0.020,
                        "bad_division": 0.010},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "bad_date": ("birth_date",), "wrong_code": ("insurance_type",), "bad_phone": ("phone",),
                          "bad_division": ("insured_area",)})),
)
