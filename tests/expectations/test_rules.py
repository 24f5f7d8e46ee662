import random

import pandas as pd
from stdnum.cn import ric

from expectations import rules
from tests.expectations.small_city import make_id

AS_OF = "2026-11-20"


def test_yichun_divisions_come_from_stdnum():
    assert rules.yichun_divisions() == {
        "360902", "360921", "360922", "360923", "360924", "360925", "360926", "360981", "360982", "360983",
    }


def test_gb2260_division():
    s = pd.Series(["360902", "360983", "362201", "360900", "360984", "36090２", None, " "])
    assert rules.gb2260_division(s).tolist() == [True, True, False, False, False, False, True, True]


def test_gb11643_id_cases():
    good = make_id("362201", "19900101", "001")
    s = pd.Series(
        [
            good,
            good[:-1] + ("1" if good[-1] == "0" else "0"),  # check character
            good[:-1],  # 17 characters
            "362201900101001",  # legacy 15-digit
            good.translate(str.maketrans("0123456789", "０１２３４５６７８９")),  # full-width
            " " + good,  # padded
            make_id("360902", "20261121"),  # born the day after the as-of date
            make_id("360902", "20261120"),  # born on the as-of date
            make_id("360902", "19900101"),  # 3609xx codes date from 2000
            make_id("362201", "19900230"),  # no such day
            None,
        ]
    )
    assert rules.gb11643_id(s, AS_OF).tolist() == [
        True, False, False, False, False, False, False, True, False, False, True,
    ]


def test_gb11643_id_as_of_per_record():
    born = make_id("360902", "20260601")
    got = rules.gb11643_id(pd.Series([born, born]), pd.Series(pd.to_datetime(["2026-05-31", "2026-06-01"])))
    assert got.tolist() == [False, True]


def test_gb11643_agrees_with_stdnum_on_a_generated_batch():
    rng = random.Random(11643)
    areas = ["362201", "362202", "362226", "360902", "360921", "360983", "110101", "999999", "440305", "510105"]
    values = []
    for _ in range(4000):
        year = rng.choice([rng.randint(1900, 2099), rng.randint(1900, 2099), 0, rng.randint(1, 1899)])
        birth = f"{year:04d}{rng.randint(0, 13):02d}{rng.randint(0, 31):02d}"
        number = make_id(rng.choice(areas), birth, f"{rng.randint(0, 999):03d}")
        mutation = rng.random()
        if mutation < 0.3:  # random check character
            number = number[:-1] + rng.choice("0123456789Xx")
        elif mutation < 0.4:  # a digit typo
            i = rng.randrange(17)
            number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        elif mutation < 0.45 and number.endswith("X"):
            number = number[:-1] + "x"
        values.append(number)
    got = rules.gb11643_id(pd.Series(values), "2100-01-01")
    expected = [ric.is_valid(v) for v in values]
    assert [v for v, g, e in zip(values, got, expected) if g != e] == []
    assert 0.1 < sum(expected) / len(expected) < 0.9  # the batch holds both kinds


def test_mobile_phone():
    s = pd.Series(["13800138000", "+8613800138000", "8613800138000", "12800138000", "1380013800", "１3800138000", None])
    assert rules.mobile_phone(s).tolist() == [True, True, False, False, False, False, True]


def test_date_and_fresh():
    s = pd.Series(["20261120", "2026-11-21", "2026/11/19", "2026-02-30", "", None])
    assert rules.date(s, ["%Y%m%d", "%Y-%m-%d"], AS_OF).tolist() == [True, False, False, False, True, True]
    t = pd.Series(["2026-05-24 00:00:00", "2026-05-23 23:59:59", "2026-05-24", None])
    assert rules.fresh(t, ["%Y-%m-%d %H:%M:%S"], 180, AS_OF).tolist() == [True, False, False, True]


def test_in_set_and_required():
    s = pd.Series(["1", "男", "3", None, " "])
    assert rules.in_set(s, ["1", "2", "男", "女"]).tolist() == [True, True, False, True, True]
    assert rules.required(s).tolist() == [True, True, True, False, False]


def test_unique_keeps_the_first_by_file_and_row():
    df = pd.DataFrame(
        {
            "k": ["a", "a", "b", "a", None, None],
            "source_file": ["f2", "f1", "f1", "f1", "f1", "f1"],
            "source_row_number": [2, 9, 3, 4, 5, 6],
        }
    )
    # f1 row 4 is the first "a"; empty keys are required's business.
    assert rules.unique(df, ["k"]).tolist() == [False, False, True, True, True, True]


def test_address_resolvable():
    addr = pd.Series(["a", "b", "c", None])
    resolved = pd.Series([True, False, None, None], dtype="boolean")
    assert rules.address_resolvable(addr, resolved).tolist() == [True, False, False, True]
