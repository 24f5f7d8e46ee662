"""统一社会信用代码 (GB 32100-2015) with its embedded 组织机构代码 (GB 11714-1997).

18 chars: 1 registration authority + 1 org type + 6-digit division code + 9-char organisation code (8 body
chars and their own GB 11714 check) + 1 check char (mod 31 over ``0123456789ABCDEFGHJKLMNPQRTUWXY``).
Codes are made unique without a registry: the body is a bijective scramble of a serial number, so lazily
regenerated organisations keep the same codes and never collide.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 (no I, O, S, V, Z)
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# (registration authority, org type): 9 工商 (1 企业, 2 个体工商户, 3 农民专业合作社), 5 民政 (1 社会团体,
# 2 民办非企业单位, 3 基金会), 1 机构编制 (2 事业单位). Authorities Y (其他) exist too but python-stdnum rejects
# a non-digit first char, so none is issued here.
KINDS = {
    "企业": "91", "个体工商户": "92", "农民专业合作社": "93",
    "社会团体": "51", "民办非企业单位": "52", "基金会": "53", "事业单位": "12",
}


def _value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55  # GB 11714: A=10 … Z=35


def org_check(body8: str) -> str:
    """GB 11714 check character of an 8-char organisation code body."""
    c = 11 - sum(_value(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS))
    return ALPHABET[(31 - total) % 31]


_NEW_SPACE = 31 ** 5
_NEW_MULT = 7_919_807  # coprime with 31
_OLD_SPACE = 10 ** 8
_OLD_MULT = 48_271_903  # coprime with 10


def org_body(serial: int, new_style: bool) -> str:
    """8-char body, unique per (serial, style): 8 digits (codes of before 2015-10), or ``MA3`` + 5 chars after."""
    if new_style:
        n = (serial * _NEW_MULT + 1_234_567) % _NEW_SPACE
        tail = ""
        for _ in range(5):
            n, r = divmod(n, 31)
            tail = ALPHABET[r] + tail
        return "MA3" + tail
    return f"{(serial * _OLD_MULT + 10_000_019) % _OLD_SPACE:08d}"


def make_uscc(kind: str, division_code: str, serial: int, new_style: bool) -> str:
    body = org_body(serial, new_style)
    first17 = KINDS[kind] + division_code + body + org_check(body)
    return first17 + uscc_check(first17)
