"""Validity rules as pure predicates (docs/architecture.md §4), shared by the GX expectations and the tests.

Every predicate answers "does the rule hold?" per value, vectorised over a pandas Series where that is cheap.
Rules other than ``required`` pass empty values (null or blank): a missing value is ``required``'s business.
Time-relative rules (``gb11643_id``, ``date``, ``fresh``) take the as-of date per record (its ``load_date``).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# Yichun's prefecture code under GB/T 2260 since 2000 (before: 宜春地区 3622xx).
YICHUN_PREFIX = "3609"

# Half-width ASCII only: Python's \d also matches full-width digits, which stdnum would silently normalise.
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9Xx]$")
_MOBILE = r"^(?:\+86)?1[3-9][0-9]{9}$"


def is_blank(values: pd.Series) -> pd.Series:
    """True where the value is null or only whitespace."""
    s = values.astype("string")
    return (s.isna() | (s.str.strip() == "")).fillna(True).astype(bool)


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string")


def _as_of(as_of: pd.Series | dt.date | str | None, index: pd.Index) -> pd.Series:
    """The as-of date per record as a datetime64 Series aligned with ``index`` (default: today)."""
    if isinstance(as_of, pd.Series):
        return pd.to_datetime(as_of.reindex(index), errors="coerce").dt.normalize()
    value = pd.Timestamp(as_of if as_of is not None else dt.date.today()).normalize()
    return pd.Series(value, index=index)


# --- record-level rules --------------------------------------------------------------------------------------


def required(values: pd.Series) -> pd.Series:
    """The value is present and not blank."""
    return ~is_blank(values)


def in_set(values: pd.Series, allowed: list | tuple | set) -> pd.Series:
    """The value is one of ``allowed`` (compared as text, exactly as sent)."""
    s = _text(values)
    return is_blank(values) | s.isin([str(v) for v in allowed]).fillna(False).astype(bool)


def mobile_phone(values: pd.Series) -> pd.Series:
    """``(\\+86)?1[3-9]`` + 9 digits, half-width digits only."""
    s = _text(values)
    return is_blank(values) | s.str.fullmatch(_MOBILE).fillna(False).astype(bool)


@lru_cache(maxsize=1)
def yichun_divisions() -> frozenset[str]:
    """The GB/T 2260 county-level codes of 宜春市 in force today, read from python-stdnum's code history.

    A code is in force when its validity interval ``[start-end]`` is open-ended; the prefecture itself
    (``…00``) and its 市辖区 placeholder are not divisions a record can belong to.
    """
    db = numdb.get("cn/loc")
    codes = set()
    for suffix in range(100):
        code = f"{YICHUN_PREFIX}{suffix:02d}"
        info = {k: v for _, props in db.info(code) for k, v in props.items()}
        county = info.get("county")
        if not county or suffix == 0:
            continue
        for entry in county.split(","):
            m = re.match(r"^\[(\d*)-(\d*)\](.*)$", entry)
            if m and not m.group(2) and m.group(3) != "市辖区":
                codes.add(code)
    return frozenset(codes)


def gb2260_division(values: pd.Series) -> pd.Series:
    """A 6-digit GB/T 2260 code of 宜春市 in force today."""
    s = _text(values)
    return is_blank(values) | s.isin(sorted(yichun_divisions())).fillna(False).astype(bool)


# ISO 7064 MOD 11-2 weights of the first 17 characters, and the check character per remainder.
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@lru_cache(maxsize=None)
def _address_code_in_force(area: str, year: int) -> bool:
    """Whether stdnum's GB/T 2260 history has ``area`` in force in ``year`` (asked once per pair)."""
    try:
        ric.get_birth_place(f"{area}{year:04d}0101" + "0000")
    except ValidationError:
        return False
    return True


def _valid_ric(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``stdnum.cn.ric.is_valid`` for 18-character ASCII numbers, vectorised, and each birth date as YYYYMMDD.

    Check character and calendar date are computed with numpy; the address-code-in-force-at-birth question is
    put to stdnum once per distinct (code, birth year), so the answer is stdnum's own (the tests check that the
    two agree on generated batches).
    """
    raw = np.frombuffer("".join(numbers).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    digits = raw[:, :17].astype(np.int64) - ord("0")
    check_ok = _ID_CHECK[(digits @ _ID_WEIGHTS) % 11] == np.where(raw[:, 17] == ord("x"), ord("X"), raw[:, 17])
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
    date_ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok = check_ok & date_ok
    # One stdnum question per distinct (address code, birth year), keyed as the integer AAAAAAYYYY.
    area_year = (digits[:, :6] @ np.array([10**i for i in range(5, -1, -1)])) * 10000 + year
    asked = np.unique(area_year[ok])
    in_force = asked[[_address_code_in_force(f"{k // 10000:06d}", int(k % 10000)) for k in asked]] if len(asked) else asked
    place_ok = np.isin(area_year, in_force)
    return ok & place_ok, year * 10000 + month * 100 + day


def gb11643_id(values: pd.Series, as_of: pd.Series | dt.date | str | None = None) -> pd.Series:
    """Exactly 18 half-width characters, ``stdnum.cn.ric.is_valid`` and birth date not after the as-of date."""
    s = _text(values)
    blank = is_blank(values)
    shaped = (s.str.fullmatch(_ID_SHAPE.pattern).fillna(False).astype(bool) & ~blank).to_numpy()
    holds = np.zeros(len(values), dtype=bool)
    if shaped.any():
        valid, birth = _valid_ric(s[shaped].to_numpy(dtype=object))
        limit = _as_of(as_of, values.index)[shaped]
        limit_ymd = (limit.dt.year * 10000 + limit.dt.month * 100 + limit.dt.day).to_numpy(dtype="float64", na_value=np.nan)
        holds[shaped] = valid & (birth <= limit_ymd)
    return blank | pd.Series(holds, index=values.index)


def parse_dates(values: pd.Series, formats: list[str] | tuple[str, ...]) -> pd.Series:
    """datetime64 per value: the first of ``formats`` that parses it, NaT when none does."""
    s = _text(values).str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = out.isna() & s.notna()
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce", exact=True)
        out.loc[todo] = parsed.astype("datetime64[ns]").to_numpy()
    return out


def date(
    values: pd.Series, formats: list[str] | tuple[str, ...], as_of: pd.Series | dt.date | str | None = None
) -> pd.Series:
    """Parses with one of ``formats`` and is not after the as-of date."""
    parsed = parse_dates(values, formats)
    limit = _as_of(as_of, values.index)
    return is_blank(values) | (parsed.notna() & (parsed.dt.normalize() <= limit)).astype(bool)


def fresh(
    values: pd.Series,
    formats: list[str] | tuple[str, ...],
    reverify_days: int,
    as_of: pd.Series | dt.date | str | None = None,
) -> pd.Series:
    """Parses with one of ``formats`` and is no older than ``reverify_days`` before the as-of date."""
    parsed = parse_dates(values, formats)
    oldest = _as_of(as_of, values.index) - pd.Timedelta(days=int(reverify_days))
    return is_blank(values) | (parsed.notna() & (parsed.dt.normalize() >= oldest)).astype(bool)


# --- dataset-level rules -------------------------------------------------------------------------------------


def unique(frame: pd.DataFrame, key: list[str] | tuple[str, ...]) -> pd.Series:
    """No earlier record (by ``source_file``, ``source_row_number``) has the same primary key.

    Aligned with ``frame.index``; records with an empty key component pass (``required`` judges them).
    """
    key = list(key)
    order = frame[["source_file", "source_row_number", *key]].sort_values(
        ["source_file", "source_row_number"], kind="stable"
    )
    keyed = ~np.logical_or.reduce([is_blank(order[k]).to_numpy() for k in key])
    dup = order[key].duplicated(keep="first").to_numpy() & keyed
    return pd.Series(~dup, index=order.index).reindex(frame.index)


def address_resolvable(values: pd.Series, is_resolved: pd.Series) -> pd.Series:
    """The record's address resolved to a standard address key in the house register.

    ``is_resolved`` is ``int_addresses_resolved.is_resolved`` joined on ``record_id`` and aligned with
    ``values``; a record missing there (null) is not resolved. Empty addresses pass (``required`` judges them).
    """
    resolved = is_resolved.astype("boolean").fillna(False).astype(bool)
    return is_blank(values) | resolved.set_axis(values.index)
