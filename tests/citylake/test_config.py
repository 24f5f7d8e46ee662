from pathlib import Path

import pytest

from citylake.config import database_url, endpoint, settings


def test_settings_default_to_the_checkout_and_env_overrides(tmp_path):
    s = settings({})
    assert s.contracts_dir.is_dir() and s.warehouse.name == "citylake.duckdb"
    s = settings({"CITYLAKE_DATA_DIR": str(tmp_path), "CITYLAKE_WAREHOUSE": str(tmp_path / "w.duckdb")})
    assert s.lake_dir == tmp_path / "lake" and s.landing_dir == tmp_path / "landing"
    assert s.lake_url == str(tmp_path / "lake")
    assert settings({"CITYLAKE_LAKE_URL": "s3://city-lake/raw"}).lake_url == "s3://city-lake/raw"
    assert s.warehouse == tmp_path / "w.duckdb"


def test_endpoint_from_uri_and_json_forms():
    e = endpoint("shuju_12345", {"AIRFLOW_CONN_SHUJU_12345": "http://:t%40ken@127.0.0.1:8600"})
    assert (e.base_url, e.token) == ("http://127.0.0.1:8600", "t@ken")
    e = endpoint("x", {"AIRFLOW_CONN_X": '{"conn_type": "http", "host": "10.0.0.5", "port": 80, "password": "p"}'})
    assert (e.base_url, e.token) == ("http://10.0.0.5:80", "p")


def test_database_url_maps_airflow_schemes_to_drivers():
    env = {"AIRFLOW_CONN_W": "postgres://etl:pw@127.0.0.1:5432/front", "AIRFLOW_CONN_M": "mysql://root:@h:3306/db",
           "AIRFLOW_CONN_S": "sqlite:////tmp/front.db"}
    assert database_url("w", env) == "postgresql+psycopg2://etl:pw@127.0.0.1:5432/front"
    assert database_url("m", env) == "mysql+pymysql://root:@h:3306/db"
    assert database_url("s", env) == "sqlite:////tmp/front.db"


def test_build_database_sits_beside_the_published_one_under_its_catalogue_name(tmp_path):
    from citylake.config import catalog_name

    s = settings({"CITYLAKE_WAREHOUSE": str(tmp_path / "citylake.duckdb")})
    assert s.build_db == tmp_path / "citylake.build.duckdb"
    # dbt writes the catalogue (DuckDB: the file name up to its first dot) into its views.
    assert catalog_name(s.build_db) == catalog_name(s.warehouse) == "citylake"
    other = settings({"CITYLAKE_WAREHOUSE": str(tmp_path / "citylake.duckdb"),
                      "CITYLAKE_BUILD_WAREHOUSE": str(tmp_path / "scratch" / "citylake.next.duckdb")})
    assert other.build_db == tmp_path / "scratch" / "citylake.next.duckdb"
    with pytest.raises(ValueError, match="must be named citylake"):
        settings({"CITYLAKE_WAREHOUSE": str(tmp_path / "citylake.duckdb"),
                  "CITYLAKE_BUILD_WAREHOUSE": str(tmp_path / "build.duckdb")}).build_db


def test_smtp_connection_from_uri_or_absent():
    from citylake.config import smtp

    s = smtp("smtp_default", {"AIRFLOW_CONN_SMTP_DEFAULT":
                              "smtp://ops:p%40ss@127.0.0.1:2525?from=citylake@yc.gov.cn&to=a@yc.gov.cn,b@yc.gov.cn"})
    assert (s.host, s.port, s.login, s.password, s.sender) == ("127.0.0.1", 2525, "ops", "p@ss", "citylake@yc.gov.cn")
    assert s.recipients == ("a@yc.gov.cn", "b@yc.gov.cn") and not s.ssl
    assert smtp("smtp_default", {"AIRFLOW_CONN_SMTP_DEFAULT": "smtp://:@mail.yc.gov.cn"}).port == 25
