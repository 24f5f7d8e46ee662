"""卫健委 front-end database: 出生医学证明, 死亡医学证明, 严重精神障碍患者, written into the embedded SQLite file
and a real PostgreSQL, pulled back by the pipeline (``ingest.load.ingest_db``) and judged by the rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import uuid

import pandas as pd
import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa
from stdnum.cn import ric

import simulator.world as world_module
from ingest.load import ingest_db
from simulator.world.config import WorldConfig
from tests.simulator.draft_feeds import _broken, register, simulate_with, truth

IDS = ["weijian.chusheng", "weijian.siwang", "weijian.jingshen"]
PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
HIGH = {
    "weijian.chusheng": {"bad_check_digit": 0.15, "missing_required": 0.1, "wrong_code": 0.1, "bad_division": 0.1},
    "weijian.siwang": {"bad_check_digit": 0.1, "legacy_15_digit": 0.1, "fullwidth_digits": 0.05,
                       "missing_required": 0.1, "wrong_code": 0.1, "bad_division": 0.1},
    "weijian.jingshen": {"bad_check_digit": 0.1, "legacy_15_digit": 0.1, "fullwidth_digits": 0.1,
                         "missing_required": 0.1, "wrong_code": 0.1, "bad_phone": 0.1, "unresolvable_address": 0.1,
                         "address_variant": 0.2, "stale": 0.1, "bad_division": 0.1},
}
ID_COLUMNS = {"weijian.chusheng": "mother_id_number", "weijian.siwang": "id_number", "weijian.jingshen": "id_number"}
ID_KINDS = {"bad_check_digit", "legacy_15_digit", "fullwidth_digits"}


@dataclasses.dataclass(frozen=True)
class _Fertile(WorldConfig):
    """A city where births and deaths happen daily even with a few thousand persons."""

    birth_rate: float = 0.4
    death_rate: float = 0.3


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return simulate_with(tmp_path_factory.mktemp("weijian"), IDS, persons=4000)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    return simulate_with(tmp_path_factory.mktemp("weijian_high"), IDS, persons=5000, rates=HIGH)


@pytest.fixture(scope="module")
def deltas(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(world_module, "WorldConfig", _Fertile)
        return simulate_with(tmp_path_factory.mktemp("weijian_days"), IDS, persons=2000, days=2)


def _pull(contract, url: str, lake) -> pd.DataFrame:
    results = ingest_db(contract, lake, url)
    assert sum(r.rows_read for r in results) == sum(r.rows_written for r in results)
    assert sum(r.rows_quarantined for r in results) == 0
    table = ds.dataset(lake / f"raw/{contract.dept}/{contract.feed}", format="parquet",
                       partitioning="hive").to_table().to_pandas()
    names = {c.source: c.name for c in contract.columns}
    frame = table.rename(columns=names)[[c.name for c in contract.columns]].fillna("").astype(str)
    pk = contract.primary_key[0]
    return frame.drop_duplicates(pk, keep="last").set_index(pk, drop=False)


def _sqlite(city, dept: str = "weijian") -> str:
    return f"sqlite:///{city / 'sim' / 'frontdb' / f'{dept}.sqlite'}"


def _judge(city, summary, contracts, cid: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The rules the pulled rows break are exactly the truth's, row by row (keyed by the primary key)."""
    c = contracts[cid]
    records = truth(city)
    tr = records[records.contract_id == cid].drop_duplicates("record_key", keep="last").set_index("record_key")
    assert sorted(tr.index) == sorted(frame.index)
    computed = _broken(frame, c, register(city, summary, contracts))
    wrong = [(k, list(tr.at[k, "defects"]), sorted(tr.at[k, "broken_rules"]), sorted(computed[k]))
             for k in frame.index if set(tr.at[k, "broken_rules"]) != computed[k]]
    assert not wrong, wrong[:5]
    return tr


@pytest.mark.parametrize("cid", IDS)
def test_sqlite_table_pulled_by_the_pipeline_agrees_with_the_truth(default, tmp_path, cid):
    city, summary, contracts = default
    frame = _pull(contracts[cid], _sqlite(city), tmp_path / "lake")
    tr = _judge(city, summary, contracts, cid, frame)
    assert len(frame) > 10
    # ID numbers are valid exactly where no ID defect was put
    col = ID_COLUMNS[cid]
    for key, row in frame.iterrows():
        hit = bool(ID_KINDS & set(tr.at[key, "defects"])) and f"{col}:gb11643_id" in tr.at[key, "broken_rules"]
        valid = row[col].isascii() and ric.is_valid(row[col])  # stdnum folds full-width digits
        assert valid != hit, (key, row[col], list(tr.at[key, "defects"]))
    # the table is typed: a pull needs no parsing of timestamps as text
    with sqlite3.connect(city / "sim" / "frontdb" / "weijian.sqlite") as db:
        cols = {r[1]: r[2] for r in db.execute(f"pragma table_info({contracts[cid].delivery.table})")}
    assert cols[contracts[cid].column(contracts[cid].primary_key[0]).source].upper().startswith("VARCHAR")


@pytest.mark.parametrize("cid", IDS)
def test_every_kind_breaks_exactly_its_rule_at_high_rates(damaged, tmp_path, cid):
    city, summary, contracts = damaged
    frame = _pull(contracts[cid], _sqlite(city), tmp_path / "lake")
    tr = _judge(city, summary, contracts, cid, frame)
    seen = {k for d in tr.defects for k in d}
    assert seen == set(HIGH[cid]), seen ^ set(HIGH[cid])
    n = len(tr)
    for kind, rate in HIGH[cid].items():
        count = sum(kind in d for d in tr.defects)
        assert abs(count - rate * n) <= 0.5 * rate * n + summary["grids"] + 1, (kind, count, rate * n)


def test_entities_are_the_citys(default):
    city, _summary, _contracts = default
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet").set_index("person_key")
    records = truth(city)
    births = records[records.contract_id == "weijian.chusheng"]
    babies = persons.loc[births.entity_key]
    age = (pd.Timestamp(dt.date(2026, 11, 21)) - pd.to_datetime(babies.birth_date)).dt.days
    assert (age <= 365).all() and len(babies) > 0.004 * len(persons)
    # 公安's 出生登记 (户籍变动 of a resident under 40 days old) of a baby whose mother lives with it has its
    # birth certificate here
    biandong = persons.loc[records[records.contract_id == "gongan.hukou_biandong"].entity_key]
    registered = biandong[(pd.Timestamp("2026-11-21") - pd.to_datetime(biandong.birth_date)).dt.days < 40]
    mothers = persons[(persons.sex == "女") & persons.relation_to_head.isin(["户主", "配偶"])]
    with_mother = registered[registered.household_id.isin(set(mothers.household_id))]
    assert set(with_mother.index) <= set(babies.index)
    deaths = records[records.contract_id == "weijian.siwang"]
    assert not set(deaths.entity_key) & set(persons.index)  # died before the as-of date: not residents
    assert 0.004 < len(deaths) / len(persons) < 0.012
    patients = records[records.contract_id == "weijian.jingshen"]
    adults = persons[pd.to_datetime(persons.birth_date) <= pd.Timestamp("2011-11-21")]
    assert set(patients.entity_key) <= set(adults.index)
    assert 0.003 < len(patients) / len(adults) < 0.009


def test_mothers_are_residents_of_the_babys_household(default, tmp_path):
    city, _summary, contracts = default
    frame = _pull(contracts["weijian.chusheng"], _sqlite(city), tmp_path / "lake")
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet")
    by_id = persons.set_index("id_number")
    records = truth(city)
    tr = records[records.contract_id == "weijian.chusheng"].set_index("record_key")
    checked = 0
    for key, row in frame.iterrows():
        if "mother_id_number:gb11643_id" in tr.at[key, "broken_rules"]:
            continue
        mother = by_id.loc[row.mother_id_number]
        baby = persons.set_index("person_key").loc[tr.at[key, "entity_key"]]
        assert mother.sex == "女" and mother.household_id == baby.household_id
        checked += 1
    assert checked > 10


def test_delta_days_add_the_worlds_births_and_deaths_and_followups(deltas, tmp_path):
    city, summary, contracts = deltas
    records = truth(city)
    persons = pd.read_parquet(city / "sim" / "truth" / "persons.parquet").set_index("person_key")
    for day in (1, 2):
        births = records[(records.contract_id == "weijian.chusheng") & (records.day == day)]
        deaths = records[(records.contract_id == "weijian.siwang") & (records.day == day)]
        assert len(births) > 0 and len(deaths) > 0
        assert not set(births.entity_key) & set(persons.index)  # newborns: new person keys
        assert set(deaths.entity_key) <= set(persons.index)  # the dead were residents
    # the rows updated after the full load are exactly the delta days' certificates
    c = contracts["weijian.chusheng"]
    url = _sqlite(city)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        table = pd.read_sql(sa.text(f"select * from {c.delivery.table}"), conn)
    newer = table[table.gxsj >= "2026-11-21"]
    assert set(newer.csyxzmbh) == set(records[(records.contract_id == c.id) & (records.day > 0)].record_key)
    # every delta birth certificate's birth time is the day before its delivery
    later = records[(records.contract_id == c.id) & (records.day > 0)]
    frame = table.set_index("csyxzmbh").loc[later.record_key]
    assert (frame.cssj.str[:10] >= "2026-11-21").all()


def test_postgresql_front_end_database(tmp_path, monkeypatch):
    name = f"citylake_wj_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"create database {name}"))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc.orig}")
    try:
        monkeypatch.setenv("CITYLAKE_SIM_FRONTDB_URL", f"{PG}/{name}")
        city, summary, contracts = simulate_with(tmp_path / "pg", IDS, persons=1500)
        url = f"{PG}/{name}"
        for cid in IDS:
            frame = _pull(contracts[cid], url, tmp_path / f"lake_{cid}")
            _judge(city, summary, contracts, cid, frame)
        with sa.create_engine(url).connect() as conn:
            kind = conn.execute(sa.text("select data_type from information_schema.columns "
                                        "where table_name = 't_csyxzm' and column_name = 'gxsj'")).scalar()
        assert kind.startswith("timestamp")
    finally:
        sa.create_engine(f"{PG}/{name}").dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"drop database if exists {name} with (force)"))
        admin.dispose()
