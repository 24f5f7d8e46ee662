"""Citizen ID numbers (公民身份号码, GB 11643-1999) as the police would have issued them.

The 6-digit address code is the GB/T 2260 code in force when the number was assigned, which follows the
birth era: a person born in 袁州区 in 1975 carries 362201 (宜春市 of 宜春地区), one born in 2005 carries
360902. Which code was in force when comes from python-stdnum's own code history (``stdnum/cn/loc.dat``),
the same table ``stdnum.cn.ric.is_valid`` checks against, so every clean number we issue is valid there.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def make_id(address_code: str, birth: dt.date, sequence: int) -> str:
    """18-digit number; ``sequence`` 0..999 (odd = male)."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def to_legacy_15(id18: str) -> str:
    """The first-generation 15-digit number of the same person (2-digit year, no check character)."""
    if id18[6:8] != "19":
        raise ValueError(f"no 15-digit number for a person born {id18[6:10]}")
    return id18[:6] + id18[8:17]


def with_bad_check(id18: str, rng: random.Random) -> str:
    """Same number with a wrong check character."""
    wrong = [c for c in _CHECK if c != id18[17]]
    return id18[:17] + rng.choice(wrong)


def to_fullwidth(text: str) -> str:
    """Digits (and X) as full-width characters, as typed by an IME in full-width mode."""
    return text.translate(_FULLWIDTH)


# ---- GB/T 2260 code history, read from python-stdnum's table ---------------------------------------

@dataclass(frozen=True)
class CodeEra:
    code: str  # 6 digits
    name: str
    start: int | None  # first year in force (None: since before the table)
    end: int | None  # last year in force (None: still in force)

    def in_force(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


_ERA = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@lru_cache(maxsize=1)
def code_history() -> dict[str, tuple[CodeEra, ...]]:
    """Every 6-digit code of ``stdnum/cn/loc.dat`` with its names and the years each was in force."""
    import stdnum

    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    out: dict[str, list[CodeEra]] = {}
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        part, _, value = line.strip().partition(" ")
        code = province + part
        names = value.split("=", 1)[1].strip('"')
        for item in names.split(","):
            m = _ERA.match(item)
            era = (
                CodeEra(code, m.group(3), int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)
                if m
                else CodeEra(code, item, None, None)
            )
            out.setdefault(code, []).append(era)
    return {k: tuple(v) for k, v in out.items()}


def in_force(code: str, year: int) -> bool:
    """True when stdnum's history has ``code`` in force in ``year`` (what ``ric.is_valid`` requires)."""
    return any(e.in_force(year) for e in code_history().get(code, ()))


def era_code(candidates: tuple[str, ...], year: int) -> str:
    """The first of a place's codes (current first, then predecessors) in force in ``year``."""
    for code in candidates:
        if in_force(code, year):
            return code
    raise ValueError(f"none of {candidates} was in force in {year}")


def era_name(code: str, year: int) -> str:
    for e in code_history().get(code, ()):
        if e.in_force(year):
            return e.name
    raise ValueError(f"{code} not in force in {year}")


# Provinces the floating residents of Yichun come from, with weights (neighbours first).
ORIGIN_PROVINCES: tuple[tuple[str, str, float], ...] = (
    ("43", "湖南省", 0.24), ("42", "湖北省", 0.12), ("44", "广东省", 0.09), ("35", "福建省", 0.10),
    ("34", "安徽省", 0.10), ("33", "浙江省", 0.07), ("41", "河南省", 0.10), ("51", "四川省", 0.08),
    ("52", "贵州省", 0.05), ("45", "广西壮族自治区", 0.05),
)
_YICHUN_PREFIXES = ("3609", "3622")


@lru_cache(maxsize=64)
def _province_counties(province: str) -> tuple[tuple[str, tuple[CodeEra, ...]], ...]:
    return tuple(
        (code, eras)
        for code, eras in sorted(code_history().items())
        if code.startswith(province) and not code.startswith(_YICHUN_PREFIXES)
        and code[4:] not in ("00", "01") and code[2:4] != "00"
    )


@lru_cache(maxsize=2048)
def origin_codes(province: str, year: int) -> tuple[str, ...]:
    """County-level codes of ``province`` (outside Yichun) in force in ``year``."""
    return tuple(code for code, eras in _province_counties(province) if any(e.in_force(year) for e in eras))


class IdRegistry:
    """Issues unique numbers: a sequence is never reused for the same address code and birth date.

    Memory grows with the persons issued (one int each); streaming 5M persons needs ~400 MB here, or a
    per-(code, date) counter if that matters later.
    """

    def __init__(self) -> None:
        self._issued: set[int] = set()

    def issue(self, address_code: str, birth: dt.date, male: bool, rng: random.Random) -> str:
        prefix = f"{address_code}{birth:%Y%m%d}"
        for _ in range(1000):
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            key = int(prefix + f"{seq:03d}")
            if key not in self._issued:
                self._issued.add(key)
                return make_id(address_code, birth, seq)
        raise RuntimeError(f"sequence numbers exhausted for {prefix}")
