"""citylake.dbt: sources generated from the contracts, and dbt run in-process."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
import yaml

from citylake.config import settings
from citylake.dbt import LAKE_ENV, SOURCES_FILE, WAREHOUSE_ENV, DbtError, generate_sources_yaml, run_dbt
from ingest.contracts import load_contracts

CHECKOUT = settings({})


@pytest.fixture(scope="module")
def contracts():
    return load_contracts(CHECKOUT.contracts_dir)


def test_committed_sources_file_matches_the_contracts(contracts):
    committed = (CHECKOUT.dbt_project_dir / SOURCES_FILE).read_text(encoding="utf-8")
    assert committed == generate_sources_yaml(contracts, CHECKOUT.lake_dir), (
        "dbt_project/models/staging/_sources.yml is stale: run `citylake contracts dbt-sources`"
    )


def test_one_source_per_department_one_table_per_feed(contracts):
    doc = yaml.safe_load(generate_sources_yaml(contracts, Path("/srv/lake")))
    sources = {s["name"]: s for s in doc["sources"]}
    assert set(sources) == {c.dept for c in contracts}
    assert sources["gongan"]["description"].startswith("公安局")
    tables = {(s["name"], t["name"]): t for s in doc["sources"] for t in s["tables"]}
    assert set(tables) == {(c.dept, c.feed) for c in contracts}

    hukou = tables["gongan", "hukou"]
    assert hukou["description"].startswith("One row per registered resident")
    meta = hukou["config"]["meta"]
    assert (meta["contract_id"], meta["basic_dataset"], meta["snapshot"]) == ("gongan.hukou", "实有人口", "latest_file")
    assert tables["shuju", "hotline"]["config"]["meta"]["snapshot"] == "versions"
    cols = {c["name"]: c for c in hukou["columns"]}
    assert cols["id_number"]["description"] == "公民身份号码"
    assert cols["id_number"]["config"]["meta"] == {"pii": "id_number", "grade": "核心", "standard": "id_number"}
    assert list(cols) == [c.name for c in next(c for c in contracts if c.id == "gongan.hukou").columns]


def test_lake_location_is_rendered_at_run_time_not_written(contracts):
    text = generate_sources_yaml(contracts, Path("/srv/lake"))
    assert "/srv/lake" not in text
    tables = {(s["name"], t["name"]): t for s in yaml.safe_load(text)["sources"] for t in s["tables"]}
    loc = tables["gongan", "hukou"]["config"]["meta"]["external_location"]
    assert loc == (
        "read_parquet('{{ env_var('CITYLAKE_LAKE_DIR', '../data/lake') }}/raw/gongan/hukou/*/*.parquet', "
        "hive_partitioning=true, union_by_name=true)"
    )


def test_run_dbt_uses_the_settings_and_restores_the_environment(tmp_path):
    s = settings({"CITYLAKE_DATA_DIR": str(tmp_path / "data"), "CITYLAKE_WAREHOUSE": str(tmp_path / "w.duckdb")})
    before = {k: os.environ.get(k) for k in (LAKE_ENV, WAREHOUSE_ENV)}
    run_dbt(s, ["seed", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")])
    assert {k: os.environ.get(k) for k in (LAKE_ENV, WAREHOUSE_ENV)} == before
    con = duckdb.connect(str(s.warehouse), read_only=True)  # released by dbt: opens read-only in-process
    try:
        assert con.execute("select count(*) from reference.ref_divisions").fetchone() == (10,)
    finally:
        con.close()


def test_run_dbt_failure_names_the_node_and_the_message(tmp_path):
    s = settings({"CITYLAKE_DATA_DIR": str(tmp_path / "data"), "CITYLAKE_WAREHOUSE": str(tmp_path / "w.duckdb")})
    with pytest.raises(DbtError) as err:
        run_dbt(s, ["run", "--select", "dim_house", "--target-path", str(tmp_path / "target"),
                    "--log-path", str(tmp_path / "logs")])
    assert "model.citylake.dim_house" in str(err.value)
    assert "does not exist" in str(err.value)  # dbt's own message: the upstream relation is missing
    assert err.value.failures[0][0] == "model.citylake.dim_house"
