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


# --- identifiers of organisations, devices, divisions, parcels, certificates and vehicles --------------------
# Each is a fixed-length code: a shape check by regex (half-width ASCII only: full-width characters fail, as for
# gb11643_id), then the parts' code lists and check characters, vectorised over the distinct values.

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = r"^[0-9]{8}[0-9ABCDEFGHJKLMNPQRTUWXY]{10}$"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _distinct_map(values: pd.Series, shape: str, judge) -> pd.Series:
    """Empty values pass; shaped values are judged once per distinct value by ``judge(str) -> bool``."""
    s = _text(values)
    blank = is_blank(values)
    shaped = s.str.fullmatch(shape).fillna(False).astype(bool) & ~blank
    holds = pd.Series(False, index=values.index)
    if shaped.any():
        distinct = pd.unique(s[shaped].to_numpy(dtype=object))
        verdict = {v: bool(judge(v)) for v in distinct}
        holds[shaped] = s[shaped].map(verdict).astype(bool)
    return blank | holds


def gb11714_check(body8: str) -> str:
    """GB 11714-1997 check character of an 8-character 组织机构代码 body (digits and A–Z = 10–35)."""
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body8, _ORG_WEIGHTS))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _uscc_ok(v: str) -> bool:
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(v[:17], _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total) % 31] == v[17] and gb11714_check(v[8:16]) == v[16]


def gb32100_uscc(values: pd.Series) -> pd.Series:
    """统一社会信用代码 (GB 32100-2015): 18 characters, ``stdnum.cn.uscc`` valid (8 leading digits, alphabet
    without I O S V Z, mod-31 check) and the embedded 组织机构代码 (characters 9–17) passes its GB 11714 check."""
    return _distinct_map(values, _USCC_SHAPE, _uscc_ok)


# GB/T 28181-2016 Annex D: the industry codes defined (reserved ranges excluded), device types of front-end,
# terminal and platform devices, and the network identifiers (0–4 monitoring private nets, 5 公安信息网, 6 政务网,
# 7 Internet, 8 社会资源接入网; 9 reserved).
GBT28181_INDUSTRIES = frozenset(
    [f"{i:02d}" for i in range(0, 12)] + [f"{i:02d}" for i in range(40, 56)] + ["80", "90"]
)
GBT28181_TYPES = frozenset(
    [str(t) for t in range(111, 119)] + [str(t) for t in range(131, 140)] + [str(t) for t in range(200, 212)]
    + ["215", "216", "300", "400"]
)
GBT28181_NETWORKS = frozenset("012345678")


def gbt28181_device_id(values: pd.Series) -> pd.Series:
    """GB/T 28181 device id: 20 half-width digits; centre code = a 宜春市 county code in force today + a 2-digit
    unit; industry, type and network codes from GB/T 28181-2016 Annex D."""
    counties = yichun_divisions()

    def ok(v: str) -> bool:
        return (
            v[:6] in counties
            and v[8:10] in GBT28181_INDUSTRIES
            and v[10:13] in GBT28181_TYPES
            and v[13] in GBT28181_NETWORKS
        )

    return _distinct_map(values, r"^[0-9]{20}$", ok)


def stats_division_code(values: pd.Series) -> pd.Series:
    """统计用区划代码: 12 half-width digits under a 宜春市 county code in force today (county 6 + township 3 +
    village 3); a village code needs its township (``…000xxx`` is no code)."""
    counties = yichun_divisions()
    return _distinct_map(values, r"^[0-9]{12}$", lambda v: v[:6] in counties and not (v[6:9] == "000" and v[9:] != "000"))


# GB/T 37346-2019 不动产单元编码 (宗地/宗海特征码 and 定着物特征码 after TD/T 1001): ownership G 国家 / J 集体 /
# Z 争议; use type A 集体土地所有权 B/S/X 建设用地使用权 (地表/地上/地下) C 宅基地 D 土地承包经营权 E 林地
# F 草原 L 林地使用权 N 农用地 W 未确定或有争议 Y 其他; 定着物 F 房屋等建筑物构筑物 L 森林林木 Q 其他 W 无定着物.
_REALESTATE_SHAPE = r"^[0-9]{12}[GJZ][ABCDEFLNSWXY][0-9]{5}[FLQW][0-9]{8}$"


def realestate_unit_id(values: pd.Series) -> pd.Series:
    """28-character 不动产单元号 (GB/T 37346): 宜春市 county code in force + 地籍区 3 + 地籍子区 3 + 宗地特征码 2 +
    宗地顺序号 5 (not 00000) + 定着物特征码 1 + 定着物单元号 8 (00000000 exactly when there is none, W)."""
    counties = yichun_divisions()

    def ok(v: str) -> bool:
        attached_none = v[19] == "W"
        return (
            v[:6] in counties
            and v[14:19] != "00000"
            and (v[20:] == "00000000") == attached_none
        )

    return _distinct_map(values, _REALESTATE_SHAPE, ok)


def disability_card_id(values: pd.Series, as_of: pd.Series | dt.date | str | None = None) -> pd.Series:
    """20-character 残疾人证号: a valid 公民身份号码 (``gb11643_id`` as of the record's date) + 残疾类别 1–7
    (视力 听力 言语 肢体 智力 精神 多重) + 残疾等级 1–4."""
    s = _text(values)
    blank = is_blank(values)
    shaped = s.str.fullmatch(r"^[0-9]{17}[0-9Xx][1-7][1-4]$").fillna(False).astype(bool) & ~blank
    holds = pd.Series(False, index=values.index)
    if shaped.any():
        holds[shaped] = gb11643_id(s[shaped].str.slice(0, 18), _as_of(as_of, values.index)[shaped]).to_numpy()
    return blank | holds


# Plate body characters: letters without I and O, and digits (GA 36-2018).
_PLATE_CHAR = "[A-HJ-NP-Z0-9]"


def vehicle_plate(values: pd.Series, prefix: str = "赣C") -> pd.Series:
    """A motor-vehicle plate (GA 36) issued under ``prefix`` (宜春: 赣C): 5 characters (ordinary), a new-energy
    6 (D/F + letter-or-digit + 4 digits for small cars, 5 digits + D/F for large ones), or 4 + 挂 (trailers)."""
    p = re.escape(prefix)
    pattern = rf"^{p}(?:{_PLATE_CHAR}{{5}}|[DF]{_PLATE_CHAR}[0-9]{{4}}|[0-9]{{5}}[DF]|{_PLATE_CHAR}{{4}}挂)$"
    s = _text(values)
    return is_blank(values) | s.str.fullmatch(pattern).fillna(False).astype(bool)
