"""Incremental pulls from real front-end databases: PostgreSQL and MariaDB on loopback."""

import datetime as dt
import os
import uuid

import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa

from ingest.contracts import parse_contract
from ingest.load import ingest_db
from ingest.records import LoadError

SERVERS = {
    "postgresql": os.environ.get("CITYLAKE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"),
    "mariadb": os.environ.get("CITYLAKE_TEST_MARIADB_URL", "mysql+pymysql://root:@127.0.0.1:3306/test"),
    "sqlite": "sqlite:///{tmp}/front.sqlite",  # make run's embedded front-end database
}


def contract(table):
    return parse_contract({
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": "weijian.births", "version": "1.0.0",
        "name": "出生医学证明",
        "servers": [{"server": "front", "type": "postgres",
                     "customProperties": [{"property": "connection", "value": "weijian_front"},
                                          {"property": "table", "value": table},
                                          {"property": "watermarkField", "value": "gxsj"}]}],
        "schema": [{"name": "births", "properties": [
            {"name": "certificate_id", "physicalName": "zmbh", "primaryKey": True, "required": True},
            {"name": "baby_name", "physicalName": "xsexm"},
            {"name": "birth_at", "physicalName": "cssj"},
            {"name": "updated_at", "physicalName": "gxsj", "required": True},
        ]}],
    })


@pytest.fixture(params=sorted(SERVERS))
def db(request, tmp_path_factory):
    url = SERVERS[request.param].format(tmp=tmp_path_factory.mktemp("frontdb"))
    engine = sa.create_engine(url)
    try:
        engine.connect().close()
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{request.param} not reachable here: {exc.orig}")
    table = f"t_births_{uuid.uuid4().hex[:8]}"
    meta = sa.MetaData()
    t = sa.Table(table, meta,
                 sa.Column("zmbh", sa.String(20), primary_key=True),
                 sa.Column("xsexm", sa.String(40)),
                 sa.Column("cssj", sa.DateTime),
                 sa.Column("gxsj", sa.DateTime, nullable=False))
    meta.create_all(engine)
    yield engine, url, t
    meta.drop_all(engine)
    engine.dispose()


def insert(engine, t, ids, gxsj):
    with engine.begin() as c:
        c.execute(t.insert(), [{"zmbh": i, "xsexm": "张小宝", "cssj": dt.datetime(2026, 11, 1, 8, 30), "gxsj": gxsj} for i in ids])


def lake_ids(lake):
    return sorted(ds.dataset(lake / "raw/weijian/births", format="parquet", partitioning="hive")
                  .to_table().column("certificate_id").to_pylist())


def test_incremental_pull_in_chunks_then_only_new_rows(db, tmp_path):
    engine, url, t = db
    c = contract(t.name)
    insert(engine, t, [f"Z{i:03d}" for i in range(7)], dt.datetime(2026, 11, 1, 10))
    results = ingest_db(c, tmp_path, url, chunk_size=3)
    assert [r.rows_written for r in results] == [3, 3, 1]
    assert lake_ids(tmp_path) == [f"Z{i:03d}" for i in range(7)]
    # Same timestamp as the watermark, later key; and a newer one: both arrive, nothing twice.
    insert(engine, t, ["Z100"], dt.datetime(2026, 11, 1, 10))
    insert(engine, t, ["Z000b"], dt.datetime(2026, 11, 2, 9))
    results = ingest_db(c, tmp_path, url, chunk_size=3)
    assert sum(r.rows_written for r in results) == 2
    assert lake_ids(tmp_path) == sorted([f"Z{i:03d}" for i in range(7)] + ["Z100", "Z000b"])
    assert ingest_db(c, tmp_path, url)[0].status == "empty"
    row = ds.dataset(tmp_path / "raw/weijian/births", format="parquet", partitioning="hive").to_table().to_pylist()[0]
    assert row["birth_at"] == "2026-11-01 08:30:00"
    assert row["_source"].endswith(f"#{t.name}") and row["_row_number"] >= 1


def test_connection_lost_mid_pull_resumes_without_loss_or_duplicates(db, tmp_path, monkeypatch):
    engine, url, t = db
    if engine.dialect.name == "sqlite":
        pytest.skip("an embedded SQLite file has no server session to lose")
    c = contract(t.name)
    insert(engine, t, [f"Z{i:03d}" for i in range(10)], dt.datetime(2026, 11, 1, 10))

    # The reader's own engine; remember its server-side session id as it connects.
    reader_engine = sa.create_engine(url)
    sessions = []

    @sa.event.listens_for(reader_engine, "connect")
    def remember(dbapi_conn, _):
        if engine.dialect.name == "postgresql":
            sessions.append(dbapi_conn.info.backend_pid)
        elif engine.dialect.name == "mysql":
            sessions.append(dbapi_conn.thread_id())

    import ingest.load as load

    real_land = load.land_batch
    landed = []

    def land_then_kill_reader(*a, **kw):
        result = real_land(*a, **kw)
        landed.append(result)
        if len(landed) == 1:  # after the first chunk is committed, the server drops the reader's session
            kill = "select pg_terminate_backend(:s)" if engine.dialect.name == "postgresql" else "kill connection :s"
            with engine.connect() as admin:
                admin.execute(sa.text(kill), {"s": sessions[-1]})
        return result

    monkeypatch.setattr(load, "land_batch", land_then_kill_reader)
    with pytest.raises(LoadError, match="connection lost after position '2026-11-01 10:00:00'/'Z003'"):
        ingest_db(c, tmp_path, url, chunk_size=4, engine=reader_engine)
    assert lake_ids(tmp_path) == [f"Z{i:03d}" for i in range(4)]
    monkeypatch.setattr(load, "land_batch", real_land)
    ingest_db(c, tmp_path, url, chunk_size=4)
    assert lake_ids(tmp_path) == [f"Z{i:03d}" for i in range(10)]
    reader_engine.dispose()


def test_lineage_never_holds_the_password():
    from ingest.readers.db_reader import safe_url

    assert "s3cret" not in safe_url("postgresql+psycopg2://etl:s3cret@10.1.2.3:5432/front")


def test_missing_table_is_a_clear_error(db, tmp_path):
    _, url, _ = db
    with pytest.raises(LoadError, match="no_such_table_x: table not found"):
        ingest_db(contract("no_such_table_x"), tmp_path, url)


def test_embedded_sqlite_front_end_ignores_the_server_schema(tmp_path):
    """make run's default front-end database is a SQLite file; contracts name the real server's schema."""
    url = f"sqlite:///{tmp_path / 'weijian.sqlite'}"
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    t = sa.Table("t_births", meta, sa.Column("zmbh", sa.String, primary_key=True), sa.Column("xsexm", sa.String),
                 sa.Column("cssj", sa.DateTime), sa.Column("gxsj", sa.DateTime))
    meta.create_all(engine)
    insert(engine, t, ["Z1", "Z2"], dt.datetime(2026, 11, 1, 10))
    c = contract("t_births")
    import dataclasses

    c = dataclasses.replace(c, delivery=dataclasses.replace(c.delivery, db_schema="public"))
    (r,) = ingest_db(c, tmp_path / "lake", url)
    assert (r.status, r.rows_written) == ("loaded", 2)


def test_microsecond_timestamps_do_not_re_read_the_boundary(db, tmp_path):
    engine, url, t = db
    c = contract(t.name)
    stamp = dt.datetime(2026, 11, 1, 10, 0, 0, 123456)
    insert(engine, t, ["A", "B", "C"], stamp)
    first = ingest_db(c, tmp_path, url, chunk_size=2)
    assert sum(r.rows_written for r in first) == 3
    assert ingest_db(c, tmp_path, url, chunk_size=2)[0].status == "empty"
