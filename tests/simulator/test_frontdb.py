"""The front-end database sink against SQLite, PostgreSQL and MariaDB, pulled back by the pipeline."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from ingest.contracts import Column
from ingest.load import ingest_db
from simulator.defects import Record
from simulator.frontdb import ENV_URL, DbSink, resolve_url
from simulator.truth import TruthWriter

PG = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
MARIA = "mysql+pymysql://root:@127.0.0.1:3306/test?charset=utf8mb4"


def _reachable(url: str) -> bool:
    try:
        with sa.create_engine(url).connect():
            return True
    except Exception:
        return False


def _contract(contracts, table: str):
    """A 卫健-style births table: the real contracts come later; the sink only needs kind/table/watermark."""
    base = contracts["gongan.hukou"]
    cols = [dataclasses.replace(c, primary_key=False) for c in base.columns if c.name != "updated_at"]
    cols.insert(0, Column("birth_id", "csyxzmbh", "出生医学证明编号", primary_key=True, required=True))
    cols.append(Column("updated_at", "gxsj", "更新时间", logical_type="timestamp", formats=("%Y-%m-%d %H:%M:%S",)))
    d = dataclasses.replace(base.delivery, kind="db", format="db", path=None, table=table, watermark_field="gxsj",
                            connection="weijian_frontdb")
    return dataclasses.replace(base, id="weijian.births", delivery=d, columns=tuple(cols))


def _rec(contract, i: int, updated: str, name: str = "") -> Record:
    values = {c.name: f"{c.label}{i}" for c in contract.columns}
    values.update(birth_id=f"Q36{i:08d}", name=name or f"李娜{i}", birth_date="20260101", registered_date="20260102",
                  updated_at=updated, phone="")
    return Record(values, entity_key=f"B{i}", context=None)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def db_url(request, tmp_path):
    url = {"sqlite": f"sqlite:///{tmp_path / 'frontdb' / 'weijian.sqlite'}", "postgresql": PG,
           "mariadb": MARIA}[request.param]
    if request.param != "sqlite" and not _reachable(url):
        pytest.skip(f"{request.param} not reachable")
    return url


def test_writes_typed_table_and_incremental_pulls_get_only_changes(db_url, tmp_path, contracts):
    table = f"t_births_{uuid.uuid4().hex[:10]}"
    c = _contract(contracts, table)
    truth = TruthWriter(tmp_path / "truth")
    sink = DbSink(c, db_url, truth, batch_rows=7)
    try:
        for i in range(20):
            sink.write(_rec(c, i, f"2026-11-{1 + i % 20:02d} 09:00:00"))
        sink.day = 1  # a delta day: two births corrected, three new
        for i in (3, 5, 20, 21, 22):
            sink.write(_rec(c, i, "2026-11-22 10:00:00", name=f"王芳{i}"))
        summary = sink.close()
        truth.close()
        assert summary["records"] == 25

        engine = sa.create_engine(db_url)
        t = sa.Table(table, sa.MetaData(), autoload_with=engine)
        if not db_url.startswith("sqlite"):  # SQLite has no timestamp type: sortable text there
            assert isinstance(t.c.gxsj.type, sa.DateTime)
            assert isinstance(t.c[c.column("birth_date").source].type, sa.Date)
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 23

        lake = tmp_path / "lake"
        # The pipeline pulls everything there is …
        results = ingest_db(c, lake, db_url, chunk_size=10)
        assert sum(r.rows_written for r in results) == 23
        assert [r.status for r in results] == ["loaded"] * 3
        again = ingest_db(c, lake, db_url)
        assert [r.status for r in again] == ["empty"]

        # … and a second day's pull gets only the changes.
        with engine.begin() as conn:
            conn.execute(t.update().where(t.c.csyxzmbh == "Q3600000007").values(
                {"gxsj": "2026-11-23 08:00:00" if db_url.startswith("sqlite") else dt.datetime(2026, 11, 23, 8),
                 c.column("name").source: "赵六"}))
        later = ingest_db(c, lake, db_url)
        assert [(r.status, r.rows_written) for r in later] == [("loaded", 1)]
        t_truth = pd.read_parquet(tmp_path / "truth" / "records.parquet")
        assert t_truth.day.tolist() == [0] * 20 + [1] * 5
        assert set(t_truth.source) == {table}
        engine.dispose()
    finally:
        eng = sa.create_engine(db_url)
        with eng.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        eng.dispose()


def test_default_is_an_embedded_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    assert resolve_url(None, tmp_path / "sim", "weijian") == f"sqlite:///{tmp_path}/sim/frontdb/weijian.sqlite"
    monkeypatch.setenv(ENV_URL, PG)
    assert resolve_url(None, tmp_path, "weijian") == PG
    assert resolve_url("sqlite:///x.db", tmp_path, "weijian") == "sqlite:///x.db"


def test_every_catalogue_contract_has_a_sink_and_the_weijian_tables_build(tmp_path):
    from citylake.config import settings
    from ingest.contracts import load_contracts
    from simulator.feeds.registry import FeedSpec

    catalogue = load_contracts(settings().contracts_dir, include_inactive=True)
    kinds = {c.id: FeedSpec(c.id, None).sink_kind(c) for c in catalogue}  # raises on a form without a sink
    db = [c for c in catalogue if kinds[c.id] == "db"]
    assert {c.dept for c in db} <= {"weijian"}
    truth = TruthWriter(tmp_path / "truth")
    url = f"sqlite:///{tmp_path / 'weijian.sqlite'}"
    for c in db:
        DbSink(c, url, truth).close()
    truth.close()
    engine = sa.create_engine(url)
    assert set(sa.inspect(engine).get_table_names()) == {c.delivery.table for c in db}
    engine.dispose()
