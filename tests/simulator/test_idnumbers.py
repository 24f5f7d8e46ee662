import datetime as dt
import random

import pytest
from stdnum.cn import ric

from simulator import idnumbers
from simulator.geography import DISTRICTS


def test_check_char_matches_stdnum():
    rng = random.Random(1)
    for _ in range(500):
        first17 = f"{rng.randrange(10**17):017d}"
        assert idnumbers.check_char(first17) == ric.calc_check_digit(first17 + "0")


def test_documented_example():
    assert idnumbers.make_id("360426", dt.date(1991, 1, 1), 7) == "360426199101010071"


@pytest.mark.parametrize("district", DISTRICTS, ids=lambda d: d.name)
def test_every_birth_year_gets_a_code_stdnum_accepts(district):
    for year in range(1920, 2027):
        code = idnumbers.era_code(district.id_codes, year)
        number = idnumbers.make_id(code, dt.date(year, 6, 15), 11)
        assert ric.is_valid(number), (district.name, year, number)
        assert code.startswith("3609" if year > 2000 else ("3609", "3622"))


def test_current_code_before_2000_is_rejected_by_stdnum():
    # The reason era codes matter: 360902 did not exist in 1980.
    assert not ric.is_valid(idnumbers.make_id("360902", dt.date(1980, 6, 15), 11))


def test_origin_codes_are_in_force_and_outside_yichun():
    for province, _name, _w in idnumbers.ORIGIN_PROVINCES:
        for year in (1950, 1975, 1999, 2000, 2010):
            codes = idnumbers.origin_codes(province, year)
            assert codes, (province, year)
            for code in codes[:20]:
                assert not code.startswith(("3609", "3622"))
                assert ric.is_valid(idnumbers.make_id(code, dt.date(year, 3, 1), 21)), (code, year)


def test_legacy_15_digit_upgrades_to_the_same_person():
    id18 = idnumbers.make_id("362201", dt.date(1968, 2, 29), 35)
    id15 = idnumbers.to_legacy_15(id18)
    assert len(id15) == 15
    base17 = id15[:6] + "19" + id15[6:]
    assert base17 + idnumbers.check_char(base17) == id18
    with pytest.raises(ValueError):
        idnumbers.to_legacy_15(idnumbers.make_id("360902", dt.date(2003, 1, 1), 1))


def test_bad_check_and_fullwidth_are_invalid():
    rng = random.Random(3)
    id18 = idnumbers.make_id("360981", dt.date(2001, 5, 17), 102)
    assert ric.is_valid(id18)
    for _ in range(20):
        assert not ric.is_valid(idnumbers.with_bad_check(id18, rng))
    wide = idnumbers.to_fullwidth(id18)
    assert wide != id18 and all(not c.isascii() for c in wide)


def test_registry_never_reuses_a_number_and_keeps_sex_parity():
    reg = idnumbers.IdRegistry()
    rng = random.Random(5)
    born = dt.date(1990, 1, 1)
    issued = [reg.issue("362201", born, male=i % 2 == 0, rng=rng) for i in range(400)]
    assert len(set(issued)) == 400
    for i, number in enumerate(issued):
        assert int(number[16]) % 2 == (1 if i % 2 == 0 else 0)
