"""人社局: 社会保险参保人员 and 就业登记 (paged REST API, ``since=`` on ``gxsj``, compact YYYYMMDDHHMMSS).

Both are drawn from the grid's residents. Who works is decided once per person (:func:`work_status`, a stable
draw on the person key) so 人社 and 医保 agree: employees of working age pay 企业职工养老 (110) with 失业 (210)
and 工伤 (410), staff of 机关事业单位 pay 120, everybody else from 16 on may join 城乡居民养老 (170); retired
employees keep their 110 record. Floating residents are insured where they work only if they have a job here.
The 个人编号 is one per person (district + person number): a person has one row per scheme, the API's
composite key (grbh, xzlx). Employer columns stay empty for now: the grid pass, where the residents' names
are, cannot reach the world's organisations (the world is finished after day 0's grid loop, and its
organisations are regenerated from a seed the grid context does not carry).

Delta days re-send the rows that changed the day before: a scheme suspended or resumed (job lost or found),
and new 就业/失业 registrations, each with the later update time.
"""

from __future__ import annotations

import datetime as dt
import random

from simulator import defects
from simulator.dates import add_years
from simulator.defects import FeedDefects, Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec, FeedState, GridContext
from simulator.feeds.damage import chosen
from simulator.people import LIUDONG

DATE = "%Y%m%d"
TS = "%Y%m%d%H%M%S"
EMPLOYED = 0.50  # of working-age residents: employees insured through an employer
CIVIL = 0.06  # of those: staff of 机关事业单位
STATUS_CHANGE_PER_DAY = 0.002  # insured rows suspended or resumed on a given day
WRONG_STATUS = ("0", "正常", "4", "9")
WRONG_TYPE = ("就业", "失业", "困难认定", "4")


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def retired(p, on: dt.date) -> bool:
    return age_on(p.birth_date, on) >= (60 if p.male else 55)


def work_status(p, on: dt.date) -> str | None:
    """"civil", "enterprise", "retired" (a retired employee), or None: one stable draw per person."""
    age = age_on(p.birth_date, on)
    if age < 18:
        return None
    employee = chosen(p.person_key, "employment", EMPLOYED)
    if retired(p, on):
        return "retired" if employee else None
    if not employee:
        return None
    return "civil" if chosen(p.person_key, "employment/civil", CIVIL) else "enterprise"


def person_number(p_key: str, division: str) -> str:
    return f"{division}{int(p_key[1:]):010d}"


def _since(p, rng: random.Random, as_of: dt.date, years_after_birth: int, earliest: dt.date) -> dt.date:
    start = max(add_years(p.birth_date, years_after_birth), earliest)
    latest = as_of - dt.timedelta(days=30)
    if start >= latest:
        return latest
    return start + dt.timedelta(days=rng.randint(0, (latest - start).days))


def _updated(env, rng: random.Random) -> dt.datetime:
    return defects.healthy_timestamp(env, rng)


def _yesterday(ctx: GridContext, hour: int = 16) -> dt.datetime:
    return dt.datetime.combine(ctx.date - dt.timedelta(days=1), dt.time(hour))


def _status_changed(rec: Record, ctx: GridContext) -> bool:
    return chosen(f"{rec.entity_key}/{rec.values['scheme']}", f"renshe.canbao/{ctx.date}",
                         STATUS_CHANGE_PER_DAY)


# ---- 社会保险参保人员 ---------------------------------------------------------------------------------------

def _canbao(ctx: GridContext, st: FeedState) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for p in ctx.people:
        if age_on(p.birth_date, env.as_of) < 16:
            continue
        work = work_status(p, env.as_of)
        if work in ("enterprise", "retired"):
            schemes = ["110"] + (["210", "410"] if work == "enterprise" else [])
        elif work == "civil":
            schemes = ["120", "410"]
        elif p.population_type != LIUDONG and chosen(p.person_key, "renshe.canbao/170", 0.80):
            schemes = ["170"]  # 城乡居民养老: the registered population without an employer
        else:
            schemes = []  # a floating resident without a job here is insured at home, if at all
        for scheme in schemes:
            since = _since(p, rng, env.as_of, 18 if scheme != "170" else 16,
                           dt.date(1995, 1, 1) if scheme != "170" else dt.date(2011, 7, 1))
            status = rng.choices(("1", "2", "3"), weights=(94, 4, 2))[0]
            updated = _updated(env, rng)
            rec = Record(values={
                "insured_id": person_number(p.person_key, p.house.division_code), "id_number": p.id_number,
                "name": p.name, "sex": "1" if p.male else "2", "birth_date": p.birth_date.strftime(DATE),
                "scheme": scheme, "status": status, "insured_from": since.strftime(DATE),
                "employer_uscc": "", "employer_name": "", "phone": p.phone,
                "division_code": p.house.division_code, "updated_at": updated.strftime(TS),
            }, entity_key=p.person_key, context=p)
            if ctx.day > 0 and _status_changed(rec, ctx):
                rec.values["status"] = "2" if status == "1" else "1"
                rec.values["updated_at"] = _yesterday(ctx).strftime(TS)
            recs.append(rec)
    _inject(recs, st)
    return recs


# ---- 就业登记 -------------------------------------------------------------------------------------------

REGISTERED = 0.30  # of employees: an employment registration on file
UNEMPLOYED = 0.06  # of working-age residents without a job: a 失业登记
HARDSHIP = 0.25  # of the unemployed: also recognised as 就业困难人员
NEW_PER_DAY = 0.0008  # working-age residents registering on a given day
FORMS = (("单位就业", 70), ("灵活就业", 18), ("自主创业", 9), ("公益性岗位", 3))
TYPE_CODE = {"就业登记": "1", "失业登记": "2", "就业困难人员认定": "3"}


def _registrations(p, as_of: dt.date) -> list[str]:
    work = work_status(p, as_of)
    if work in ("enterprise", "civil"):
        return ["就业登记"] if chosen(p.person_key, "renshe.jiuye", REGISTERED) else []
    if work is None and 18 <= age_on(p.birth_date, as_of) < (60 if p.male else 50):
        if chosen(p.person_key, "renshe.jiuye/unemployed", UNEMPLOYED):
            hard = chosen(p.person_key, "renshe.jiuye/hardship", HARDSHIP)
            return ["失业登记"] + (["就业困难人员认定"] if hard else [])
    return []


def _jiuye_record(p, kind: str, registered: dt.date, updated: dt.datetime, rng: random.Random) -> Record:
    form = (rng.choices([f for f, _ in FORMS], weights=[w for _, w in FORMS])[0] if kind == "就业登记" else "")
    return Record(values={
        "registration_id": f"JY{int(p.person_key[1:]):010d}{TYPE_CODE[kind]}{registered:%y%m%d}",
        "id_number": p.id_number, "name": p.name, "registration_type": kind, "employment_form": form,
        "employer_uscc": "", "employer_name": "", "registered_date": registered.strftime(DATE), "phone": p.phone,
        "division_code": p.house.division_code, "updated_at": updated.strftime(TS),
    }, entity_key=p.person_key, context=p)


def _new_today(p, ctx: GridContext) -> bool:
    return (ctx.day > 0 and 18 <= age_on(p.birth_date, ctx.as_of) < 60
            and chosen(p.person_key, f"renshe.jiuye/new/{ctx.date}", NEW_PER_DAY))


def _jiuye(ctx: GridContext, st: FeedState) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for p in ctx.people:
        for kind in _registrations(p, env.as_of):
            registered = _since(p, rng, env.as_of, 18, dt.date(2008, 1, 1))
            recs.append(_jiuye_record(p, kind, registered, _updated(env, rng), rng))
    # The day's new registrations (a job found, or a job lost): new records of the day before.
    for p in ctx.people:
        if _new_today(p, ctx):
            kind = "就业登记" if work_status(p, env.as_of) else "失业登记"
            day = ctx.date - dt.timedelta(days=1)
            recs.append(_jiuye_record(p, kind, day, _yesterday(ctx), rng))
    _inject(recs, st)
    return recs


def _jiuye_changed(rec: Record, ctx: GridContext) -> bool:
    return rec.values["updated_at"].startswith(f"{ctx.date - dt.timedelta(days=1):%Y%m%d}")


# ---- damage ------------------------------------------------------------------------------------------------

WRONG = {"status": WRONG_STATUS, "registration_type": WRONG_TYPE}


def _inject(recs: list[Record], st: FeedState) -> None:
    # Not everybody has a phone on file: a blank one stays blank (``filled``).
    damage.inject(recs, st.defects, st.env, st.rng, person_of=lambda rec, col: rec.context, wrong=WRONG,
                  filled=("bad_phone",), what=st.contract.id)


FEEDS = (
    # ≈92% valid: long-lived records, many first keyed from old cards (a weak department's basic data).
    FeedSpec("renshe.canbao", _canbao, date_format=DATE, timestamp_format=TS, changed=_status_changed,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.015, "fullwidth_digits": 0.005,
                        "missing_required": 0.010, "bad_date": 0.010, "wrong_code": 0.010, "bad_phone": 0.020,
                        "bad_division": 0.010},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "bad_date": ("birth_date",), "wrong_code": ("status",), "bad_phone": ("phone",),
                          "bad_division": ("division_code",)})),
    # ≈91% valid: registrations typed at street-level service counters.
    FeedSpec("renshe.jiuye", _jiuye, date_format=DATE, timestamp_format=TS, changed=_jiuye_changed,
             defects=FeedDefects(
                 rates={"bad_check_digit": 0.020, "legacy_15_digit": 0.010, "fullwidth_digits": 0.010,
                        "missing_required": 0.010, "bad_date": 0.010, "wrong_code": 0.015, "bad_phone": 0.020,
                        "bad_division": 0.010},
                 columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                          "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                          "bad_date": ("registered_date",), "wrong_code": ("registration_type",),
                          "bad_phone": ("phone",), "bad_division": ("division_code",)})),
)
