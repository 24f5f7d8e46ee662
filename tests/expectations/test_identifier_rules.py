"""The identifier rules (USCC, GB/T 28181, 统计用区划代码, 不动产单元号, 残疾人证号, 号牌) on hand-made values,
checked against python-stdnum where it has the standard."""

import random

import pandas as pd
import pytest
from stdnum.cn import ric, uscc

from expectations import rules
from expectations.suites import expectation_for
from ingest.contracts import parse_contract
from tests.expectations.small_city import make_id

AS_OF = "2026-11-20"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(prefix8: str, body8: str) -> str:
    first17 = prefix8 + body8 + rules.gb11714_check(body8)
    return first17 + uscc.calc_check_digit(first17)


def test_gb11714_check_on_published_codes():
    # 91110000600037341L is python-stdnum's own example; its organisation code is 60003734-1.
    assert rules.gb11714_check("60003734") == "1"
    assert rules.gb11714_check("MA35A7NW") in "0123456789X"


def test_gb32100_uscc_cases():
    good = _uscc("91360902", "MA35A7NW")
    old = _uscc("92360981", "12345678")
    wrong_org = good[:16] + ("0" if good[16] != "0" else "1")
    wrong_org = wrong_org + uscc.calc_check_digit(wrong_org)  # mod-31 right, GB 11714 wrong
    s = pd.Series(
        [
            "91110000600037341L",
            good,
            old,
            wrong_org,
            good[:-1] + ALPHABET[(ALPHABET.index(good[-1]) + 1) % 31],  # mod-31 check
            good.lower(),  # lower case is not the code as issued
            good[:17],  # 17 characters
            "Y" + good[1:],  # stdnum wants 8 leading digits
            good.replace("A", "Ａ"),  # full-width
            None,
            "  ",
        ]
    )
    assert rules.gb32100_uscc(s).tolist() == [True, True, True, False, False, False, False, False, False, True, True]
    assert uscc.is_valid(wrong_org)  # stdnum alone would accept it: the GB 11714 check is ours


def test_gb32100_uscc_agrees_with_stdnum_where_the_org_code_is_right():
    rng = random.Random(32100)
    values = []
    for _ in range(3000):
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        code = _uscc(rng.choice(["91", "92", "93", "51", "12"]) + rng.choice(["360902", "360981", "110101"]), body)
        if rng.random() < 0.4:
            i = rng.randrange(18)
            code = code[:i] + rng.choice(ALPHABET) + code[i + 1:]
        values.append(code)
    got = rules.gb32100_uscc(pd.Series(values)).tolist()
    for v, g in zip(values, got):
        org_ok = rules.gb11714_check(v[8:16]) == v[16]
        assert g == (uscc.is_valid(v) and org_ok), v


def test_gbt28181_device_id_cases():
    s = pd.Series(
        [
            "36090201001325001001",  # 袁州区 unit 01, 社会治安路面, IPC, 公安网
            "36098103111316000007",  # 丰城市, 教育, camera, 政务网
            "36092205521188000001",  # 奉新县, 房地产业, NVR, 社会资源网
            "36220201001325001001",  # 宜春地区 code, no longer in force
            "11010201001325001001",  # not Yichun
            "36090201201325001001",  # industry 20 reserved
            "36090201001995001001",  # type 199 undefined
            "36090201001329001001",  # network 9 reserved
            "3609020100132500100",  # 19 digits
            "3609020100132500100A",
            None,
        ]
    )
    assert rules.gbt28181_device_id(s).tolist() == [True, True, True, False, False, False, False, False, False, False, True]


def test_stats_division_code_cases():
    s = pd.Series(["360902001001", "360902100203", "360983000000", "360902000000", "360902000001",
                   "362201001001", "36090200100", "36090200100１", None])
    assert rules.stats_division_code(s).tolist() == [True, True, True, True, False, False, False, False, True]


def test_realestate_unit_id_cases():
    good = "360902" + "001002" + "GB" + "00123" + "F" + "00010101"
    s = pd.Series(
        [
            good,
            "360981003001JC00045W00000000",  # 宅基地, no building yet
            "360902001002GB00123W00010101",  # W with a building number
            "360902001002GB00123F00000000",  # F without one
            "360902001002GB00000F00010101",  # 宗地顺序号 0
            "360902001002KB00123F00010101",  # ownership K
            "360902001002GI00123F00010101",  # use type I
            "362201001002GB00123F00010101",  # old code
            good[:-1],
            good.lower(),
            None,
        ]
    )
    assert rules.realestate_unit_id(s).tolist() == [True, True, False, False, False, False, False, False, False, False, True]


def test_disability_card_id_cases():
    idn = make_id("360902", "20010312", "001")
    assert ric.is_valid(idn)
    old = make_id("362201", "19850312", "002")
    s = pd.Series([idn + "41", old + "74", idn + "81", idn + "05", idn + "4", idn[:-1] + ("0" if idn[-1] != "0" else "1") + "41",
                   make_id("360902", "20261121") + "11", None])
    assert rules.disability_card_id(s, AS_OF).tolist() == [True, True, False, False, False, False, False, True]
    born = make_id("360902", "20260601") + "11"
    got = rules.disability_card_id(pd.Series([born, born]), pd.Series(pd.to_datetime(["2026-05-31", "2026-06-01"])))
    assert got.tolist() == [False, True]


def test_vehicle_plate_cases():
    s = pd.Series(["赣CA1234", "赣C12345", "赣CD12345", "赣CDA1234", "赣C12345F", "赣C1234挂", "赣CI1234",
                   "赣CA123", "赣DA1234", "赣ca1234", "赣CＡ1234", None])
    assert rules.vehicle_plate(s).tolist() == [True, True, True, True, True, True, False, False, False, False, False, True]
    assert rules.vehicle_plate(pd.Series(["赣DA1234"]), prefix="赣D").tolist() == [True]


@pytest.mark.parametrize(
    "impl, cls",
    [
        ("gb32100_uscc", "ExpectColumnValuesToBeGb32100Uscc"),
        ("gbt28181_device_id", "ExpectColumnValuesToBeGbt28181DeviceId"),
        ("stats_division_code", "ExpectColumnValuesToBeYichunStatsDivisionCode"),
        ("realestate_unit_id", "ExpectColumnValuesToBeRealestateUnitId"),
        ({"rule": "vehicle_plate", "prefix": "赣C"}, "ExpectColumnValuesToBeVehiclePlate"),
        ("disability_card_id", "ExpectColumnPairValuesToBeValidDisabilityCardId"),
    ],
)
def test_new_rules_are_known_and_have_expectations(impl, cls):
    data = {
        "id": "t.t",
        "schema": [{"properties": [{"name": "code", "primaryKey": True,
                                    "quality": [{"type": "custom", "implementation": impl}]}]}],
        "servers": [{"server": "x", "type": "local", "format": "csv", "path": "t/t/*.csv"}],
    }
    c = parse_contract(data)
    (rule,) = c.rules
    assert type(expectation_for(c, rule)).__name__ == cls


def test_gx_runs_the_new_expectations_on_a_pandas_batch(monkeypatch):
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    import expectations.custom as custom

    idn = make_id("360902", "20010312", "001")
    df = pd.DataFrame(
        {
            "uscc": ["91110000600037341L", "91110000600037341M", None],
            "device": ["36090201001325001001", "36090201201325001001", None],
            "plate": ["赣CA1234", "赣DA1234", None],
            "card": [idn + "41", idn + "91", None],
            "load_date": pd.to_datetime([AS_OF] * 3),
        }
    )
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("t").add_dataframe_asset("t")
    batch = asset.add_batch_definition_whole_dataframe("b").get_batch(batch_parameters={"dataframe": df})
    for exp in [
        custom.ExpectColumnValuesToBeGb32100Uscc(column="uscc"),
        custom.ExpectColumnValuesToBeGbt28181DeviceId(column="device"),
        custom.ExpectColumnValuesToBeVehiclePlate(column="plate", prefix="赣C"),
        custom.ExpectColumnPairValuesToBeValidDisabilityCardId(column_A="card", column_B="load_date"),
    ]:
        r = batch.validate(exp, result_format="COMPLETE")
        assert not r.success and r.result["unexpected_index_list"] == [1], type(exp).__name__
