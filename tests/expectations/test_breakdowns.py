"""Validity per department, district, grid, day and GB/T 36344 dimension, kept per run."""

import duckdb
import pytest

from expectations import rules
from expectations.breakdowns import area_source, district_names
from expectations.runner import validate
from tests.expectations.small_city import EXPECTED_FAILURES, build, contracts, settings_for


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wh")
    build(tmp / "citylake.duckdb")
    settings = settings_for(tmp)
    validate(settings, "run-1")
    validate(settings, "run-2")
    validate(settings, "run-2")  # a retried task replaces its rows
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    yield con
    con.close()


def _place(contract_id, present, rows):
    """Evaluate the district/grid expressions on a one-table DuckDB: rows of ``present`` columns."""
    src = area_source(contracts()[contract_id], set(present), rules.yichun_divisions())
    con = duckdb.connect()
    con.execute("create table s (" + ", ".join(f'"{c}" varchar' for c in present) + ")")
    con.executemany(f"insert into s values ({', '.join('?' for _ in present)})", rows)
    got = con.execute(f"select {src.district_sql}, {src.grid_sql} from s").fetchall()
    con.close()
    return src.basis, got


def test_district_falls_back_in_order_and_only_to_yichun_counties():
    present = ["std_division_code", "address_key", "grid_code"]
    basis, got = _place("gongan.hukou", present, [
        ("360902", "360981|剑光路|12|3|1|502", "360983001001"),  # the division column wins
        ("360984", "360981|剑光路|12|3|1|502", "360983001001"),  # not a 宜春 county in force: the address key
        (None, None, " 360983001001 "),  # only the grid: its county part; the grid as sent, trimmed
        ("110101", "430102|x|1||| ", None),  # nothing in 宜春: unknown
    ])
    assert basis == "std_division_code > address_key > grid_code"
    assert got == [("360902", "360983001001"), ("360981", "360983001001"), ("360983", "360983001001"), (None, None)]


def test_stats_codes_and_feeds_without_place():
    basis, got = _place("fulian.liushou_ertong", ["std_village_code", "address_key"], [("360921101203", None)])
    assert basis == "std_village_code > address_key" and got == [("360921", None)]
    # a feed with no division, address or grid column cannot be placed
    basis, got = _place("xueliang.zhuapai", ["record_id"], [("x",)])
    assert basis == "none" and got == [(None, None)]
    # staging without the standard form: the value as sent
    basis, _ = _place("gongan.hukou", ["division_code"], [("360902",)])
    assert basis == "division_code"


def test_district_names_from_the_code_history():
    names = district_names(rules.yichun_divisions())
    assert names["360902"] == "袁州区" and names["360981"] == "丰城市" and len(names) == 10


def test_every_breakdown_adds_up_to_the_run(validated):
    con = validated
    runs = {(r, c): (n, v) for r, c, n, v in con.execute(
        "select run_id, contract_id, records, valid_records from quality.validity_runs").fetchall()}
    assert {r for r, _ in runs} == {"run-1", "run-2"}  # history: both runs kept
    for table in ("validity_by_area", "validity_by_day"):
        sums = {(r, c): (n, v) for r, c, n, v in con.execute(
            f"select run_id, contract_id, sum(records)::bigint, sum(valid_records)::bigint from quality.{table} group by all"
        ).fetchall()}
        assert sums == runs, table
    dept = dict(con.execute(
        "select department, valid_records || '/' || records from quality.validity_by_department where run_id = 'run-2'"
    ).fetchall())
    assert dept == {"公安局": "7/24", "住建局": "9/10", "政务服务数据管理局": "3/3"}
    assert con.execute(
        "select basic_records, basic_valid_records from quality.validity_by_department "
        "where run_id = 'run-2' and department = '政务服务数据管理局'").fetchall() == [(None, None)]


def test_area_and_day(validated):
    con = validated
    area = con.execute(
        "select contract_id, district_code, district_name, grid_code, area_basis, records, valid_records "
        "from quality.validity_by_area where run_id = 'run-2' order by contract_id, grid_code"
    ).fetchall()
    # small_city's staging has no std_ columns: the division as sent, then the grid; hukou:08 sends 360984
    # (not a county of 宜春) and is placed by its grid 360902001001 instead
    assert area == [
        ("gongan.hukou", "360902", "袁州区", "360902001001", "division_code > grid_code", 19, 5),
        ("gongan.liudong", "360902", "袁州区", "360902001002", "division_code > grid_code", 5, 2),
        ("shuju.hotline", "360902", "袁州区", None, "division_code", 3, 3),
        ("zhujian.fangwu", "360981", "丰城市", "360981001001", "division_code > grid_code", 10, 9),
    ]
    district = dict((d, (n, v, b)) for d, n, v, b in con.execute(
        "select district_code, records, valid_records, basic_records from quality.validity_by_district where run_id = 'run-2'"
    ).fetchall())
    assert district == {"360902": (27, 10, 24), "360981": (10, 9, 10)}
    assert con.execute(
        "select count(*) from quality.validity_by_grid where run_id = 'run-2'").fetchall() == [(3,)]
    assert con.execute(
        "select distinct load_date::varchar from quality.validity_by_day").fetchall() == [("2026-11-20",)]


def test_dimensions_count_records_failing_error_rules(validated):
    con = validated
    got = {(c, d): (n_rules, failed, warned) for c, d, n_rules, failed, warned in con.execute(
        "select contract_id, dimension, rules, failed_records, warned_records from quality.validity_by_dimension "
        "where run_id = 'run-2'").fetchall()}
    for cid in EXPECTED_FAILURES:
        c = contracts()[cid]
        dims = {r.rule_id: r.gbt36344 for r in c.rules}
        severity = {r.rule_id: r.severity for r in c.rules}
        for dim in set(dims.values()):
            failing = {rid for rid, broken in EXPECTED_FAILURES[cid].items()
                       if any(dims[b] == dim and severity[b] == "error" for b in broken)}
            warned = {rid for rid, broken in EXPECTED_FAILURES[cid].items()
                      if rid not in failing and any(dims[b] == dim for b in broken)}
            n_rules = sum(1 for d in dims.values() if d == dim)
            assert got[(cid, dim)] == (n_rules, len(failing), len(warned)), (cid, dim)
    # 户籍人口 规范性: ids 04 05 06 07 18, phone 13, sex 16 → 7 records (registered_date is only a warning)
    assert got[("gongan.hukou", "规范性")][1:] == (7, 1)
    assert set(d for _, d in got) <= {"规范性", "完整性", "准确性", "一致性", "时效性"}
