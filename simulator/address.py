"""Address strings as departments write them: the standard form, its harmless variants, and broken ones.

Standard form (GB/T 39609 style): ``江西省宜春市{区县}{街路巷}{门牌}号{小区}{楼栋}栋{单元}单元{户室}室``;
a building without units omits ``{单元}单元``. Every variant produced by :func:`variant` parses to the same
address key (docs/architecture.md §3); :func:`unresolvable` never does.
"""

from __future__ import annotations

import random

from simulator.geography import House

PROVINCE = "江西省"
CITY = "宜春市"
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def standard_address(h: House) -> str:
    unit = "" if h.unit is None else f"{h.unit}单元"
    return f"{PROVINCE}{CITY}{h.district_name}{h.street}{h.door}号{h.compound}{h.building}栋{unit}{h.room}室"


# Variant kinds, each keeping the address key: (name, how it rewrites the standard string's parts).
VARIANT_KINDS = ("drop_province", "drop_province_city", "building_zhuang", "building_haolou", "drop_room_suffix",
                 "fullwidth_digits", "drop_compound")


def variant(h: House, rng: random.Random) -> tuple[str, str]:
    """One harmless variant of the house's address: (variant kind, text)."""
    kind = rng.choice(VARIANT_KINDS)
    prefix = f"{PROVINCE}{CITY}"
    compound = h.compound
    building_suffix = "栋"
    room_suffix = "室"
    if kind == "drop_province":
        prefix = CITY
    elif kind == "drop_province_city":
        prefix = ""
    elif kind == "building_zhuang":
        building_suffix = "幢"
    elif kind == "building_haolou":
        building_suffix = "号楼"
    elif kind == "drop_room_suffix":
        room_suffix = ""
    elif kind == "drop_compound":
        compound = ""
    unit = "" if h.unit is None else f"{h.unit}单元"
    text = f"{prefix}{h.district_name}{h.street}{h.door}号{compound}{h.building}{building_suffix}{unit}{h.room}{room_suffix}"
    if kind == "fullwidth_digits":
        text = text.translate(_FULLWIDTH_DIGITS)
    return kind, text


def unresolvable(h: House, rng: random.Random) -> str:
    """An address that cannot resolve to a room of the register: vague, or a building that does not exist."""
    if rng.random() < 0.5:
        return rng.choice(
            (
                f"{h.district_name}{h.compound}附近",
                f"{h.district_name}某小区附近",
                f"{CITY}{h.district_name}{h.street}旁",
                f"{h.district_name}{h.street}{h.compound}",
            )
        )
    # Buildings are numbered from 1 up to at most 5 per compound, so 9x never exists.
    unit = "" if h.unit is None else f"{h.unit}单元"
    return f"{PROVINCE}{CITY}{h.district_name}{h.street}{h.door}号{h.compound}{rng.randint(90, 99)}栋{unit}{h.room}室"
