"""The warehouse built by dbt from the fixture lake (tests/dbt_project/lake_fixture.py): concrete values."""

from __future__ import annotations

import duckdb
import pytest

from citylake.dbt import run_dbt
from ingest.contracts import load_contracts
from tests.dbt_project import lake_fixture as f
from tests.dbt_project.conftest import dbt_args, tmp_settings

KEY_H001 = "360902|秀江东路|88|3|2|1201"
KEY_H002 = "360902|秀江东路|88|3||1202"
KEY_H003 = "360981|新城大道|12|5|1|301"


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_ids_are_standardised(wh):
    got = dict(wh.execute("select id_number, std_id_number from staging.stg_gongan__hukou").fetchall())
    assert got[f.P1] == f.P1
    assert got[f.P2_15] == f.P2  # 15 → 18 with the computed check character
    assert got[f.fullwidth(f.P3.lower())] == f.P3  # full-width digits, lower-case x
    assert got[f.P4_BAD] is None  # wrong check character
    assert got[f.P5_BAD_DATE] is None  # 19990230 is not a date


def test_staging_keeps_values_as_sent_and_lineage(wh):
    (r,) = rows(wh, f"select * from staging.stg_gongan__hukou where id_number = '{f.P2_15}'")
    assert r["phone"] == "+86 139-0795-0002" and r["std_phone"] == "13907950002"
    assert r["birth_date"] == "1975-08-15" and str(r["std_birth_date"]) == "1975-08-15"
    assert r["std_sex"] == "男"
    assert r["record_id"] == "hukou-20250602:3" and r["source_row_number"] == 3
    assert r["source_file"] == "gongan/hukou/hukou_0602.csv" and str(r["load_date"]) == "2025-06-02"


def test_file_feeds_keep_the_latest_file_and_api_feeds_every_version(wh):
    loads = wh.execute("select distinct load_id from staging.stg_zhujian__fangwu").fetchall()
    assert loads == [("fangwu-20250608",)]
    assert wh.execute("select count(*) from staging.stg_shuju__hotline").fetchone() == (4,)


def test_address_variants_resolve_to_one_key(wh):
    got = dict(wh.execute("select address, address_key from intermediate.int_addresses_resolved").fetchall())
    same_room = [r["address"] for r in f.HUKOU[:2]] + [r["address"] for r in f.HUKOU[3:]] + [f.LIUDONG[0]["address"]]
    assert {got[a] for a in same_room} == {KEY_H001}
    assert got[f.HUKOU[2]["address"]] == KEY_H002  # 3号楼, no unit, spaces
    assert got[f.LIUDONG[1]["address"]] == KEY_H003  # 栋 in the text, 幢 and full-width digits in the register
    resolved = dict(wh.execute("select record_id, is_resolved from intermediate.int_addresses_resolved").fetchall())
    assert resolved["liudong-20250602:4"] is False  # 秀江东路99号 is not in the register
    assert sum(resolved.values()) == 7


def test_dim_person_has_one_row_per_person(wh):
    people = {r["person_id"]: r for r in rows(wh, "select * from marts.dim_person")}
    assert set(people) == {f.P1, f.P2, f.P3, f.L2, f.L3}
    p1 = people[f.P1]  # in both feeds: 户籍 wins
    assert (p1["population_type"], p1["is_hukou"], p1["is_floating"]) == ("户籍", True, True)
    # linked across feeds: also the owner 住建 registers for H001 (every version of the room's row)
    assert p1["source_feeds"] == "gongan.hukou,gongan.liudong,zhujian.fangwu" and p1["record_count"] >= 3
    assert p1["phone"] == "13907950001" and p1["household_id"] == "HH01"
    assert {k: people[k]["house_id"] for k in people} == {f.P1: "H001", f.P2: "H001", f.P3: "H002",
                                                         f.L2: "H003", f.L3: None}
    l2 = people[f.L2]
    assert (l2["population_type"], l2["is_hukou"], l2["district_name"]) == ("流动", False, "丰城市")
    assert str(people[f.P2]["birth_date"]) == "1975-08-15" and people[f.P3]["sex"] == "女"


def test_dim_house_is_one_row_per_room_latest_version(wh):
    houses = {r["house_id"]: r for r in rows(wh, "select * from marts.dim_house")}
    assert set(houses) == {"H001", "H002", "H003"}  # H999 was only in the earlier workbook
    assert houses["H001"]["usage"] == "住宅"  # the 2025 row, not the 2023 one
    assert {h: r["resident_count"] for h, r in houses.items()} == {"H001": 2, "H002": 1, "H003": 1}
    assert houses["H002"]["unit"] is None and houses["H002"]["address_key"] == KEY_H002
    assert (houses["H003"]["division_code"], houses["H003"]["district_name"]) == ("360981", "丰城市")
    assert houses["H003"]["is_rented"] is True and houses["H001"]["floor_area"] == pytest.approx(120.5)


def test_fct_event_takes_the_latest_version(wh):
    ev = {r["event_id"]: r for r in rows(wh, "select * from marts.fct_event")}
    assert set(ev) == {"W001", "W002", "W003"}
    assert (ev["W001"]["status"], ev["W001"]["is_closed"], ev["W001"]["is_satisfied"]) == ("已办结", True, True)
    assert str(ev["W001"]["closed_at"]) == "2025-06-02 09:00:00" and ev["W001"]["version_count"] == 2
    assert (ev["W002"]["status"], ev["W002"]["is_closed"], ev["W002"]["is_satisfied"]) == ("已派单", False, None)
    assert (ev["W003"]["status"], ev["W003"]["district_name"]) == ("办理中", "高安市")
    assert {r["source_feed"] for r in ev.values()} == {"shuju.hotline"}


@pytest.mark.slow  # a whole dbt build of its own (~100 s): make test-slow
def test_a_feed_without_loads_does_not_stop_the_build(tmp_path):
    s = tmp_settings(tmp_path)
    contracts = {c.id: c for c in load_contracts(s.contracts_dir)}
    f.build_lake(s.lake_dir, contracts, feeds={"gongan.hukou", "zhujian.fangwu"})
    run_dbt(s, dbt_args(tmp_path, "build", "--exclude", "test_type:unit"))
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_event").fetchone() == (0,)
        assert con.execute("select count(*) from staging.stg_gongan__liudong").fetchone() == (0,)
        assert con.execute("select count(*) from marts.dim_person").fetchone() == (3,)
    finally:
        con.close()


def test_descriptions_are_duckdb_comments_for_bi_tools(wh):
    """BI tools read column comments: each carries the Chinese label from the model's yml."""
    comments = dict(wh.execute(
        "select column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'dim_house'").fetchall())
    assert comments["house_id"] and any("\u4e00" <= ch <= "\u9fff" for ch in comments["house_id"])
    staged = wh.execute("select count(*) from duckdb_columns() where schema_name = 'staging' "
                        "and comment is not null").fetchone()[0]
    assert staged > 100
