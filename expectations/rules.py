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


@lru_cache(maxsize=1_000_000)
def _ric_birth(number: str) -> dt.date | None:
    """Birth date of a stdnum-valid GB 11643 number, or None when stdnum rejects it."""
    if not ric.is_valid(number):
        return None
    return ric.get_birth_date(number)


def gb11643_id(values: pd.Series, as_of: pd.Series | dt.date | str | None = None) -> pd.Series:
    """Exactly 18 half-width characters, ``stdnum.cn.ric.is_valid`` and birth date not after the as-of date."""
    s = _text(values)
    blank = is_blank(values)
    shaped = s.str.fullmatch(_ID_SHAPE.pattern).fillna(False).astype(bool) & ~blank
    holds = pd.Series(False, index=values.index)
    if shaped.any():
        # stdnum is per value; the shape filter keeps it off obvious garbage, the cache off repeats.
        births = s[shaped].map(lambda v: _ric_birth(str(v)))
        birth = pd.to_datetime(births.where(births.notna(), None), errors="coerce")
        limit = _as_of(as_of, values.index)[shaped]
        holds.loc[shaped] = (birth.notna() & (birth <= limit)).to_numpy()
    return blank | holds


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
    order = frame.sort_values(["source_file", "source_row_number"], kind="stable")
    keyed = ~np.logical_or.reduce([is_blank(order[k]).to_numpy() for k in key])
    dup = order[key].astype("string").duplicated(keep="first").to_numpy() & keyed
    return pd.Series(~dup, index=order.index).reindex(frame.index)


def address_resolvable(values: pd.Series, is_resolved: pd.Series) -> pd.Series:
    """The record's address resolved to a standard address key in the house register.

    ``is_resolved`` is ``int_addresses_resolved.is_resolved`` joined on ``record_id`` and aligned with
    ``values``; a record missing there (null) is not resolved. Empty addresses pass (``required`` judges them).
    """
    resolved = is_resolved.astype("boolean").fillna(False).astype(bool)
    return is_blank(values) | resolved.set_axis(values.index)
