"""One replay of the world's vital changes per run: every feed that reports deaths names the same persons
on the same days, and the truth keeps the changes (simulator.city → GridContext.vital)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulator.city import simulate
from tests.simulator.conftest import AS_OF, SEED

REPO = Path(__file__).resolve().parents[2]
FEEDS = ("weijian.siwang", "minzheng.binzang", "gongan.hukou", "gongan.liudong", "shuju.hotline", "zhujian.fangwu")
DAYS = 4


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("vital")
    cdir = out / "contracts"
    for cid in FEEDS:
        dept, feed = cid.split(".")
        (cdir / dept).mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "contracts" / dept / f"{feed}.yaml", cdir / dept / f"{feed}.yaml")
    # a death rate far above a real city's so that 2,000 persons die every day
    simulate(out, persons=2000, seed=SEED, as_of=AS_OF, days=DAYS, contracts_dir=cdir,
             world_config={"death_rate": 2.0}, progress=False)
    truth = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    vital = pd.read_parquet(out / "sim" / "truth" / "vital_changes.parquet")
    return truth, vital


def test_truth_keeps_each_days_vital_changes(city):
    _, vital = city
    assert sorted(set(vital.date)) == [AS_OF + dt.timedelta(days=d) for d in range(DAYS)]
    assert {"death", "birth"} <= set(vital.change)


def test_death_certificates_are_yesterdays_deaths(city):
    truth, vital = city
    deaths = vital[vital.change == "death"]
    certs = truth[(truth.contract_id == "weijian.siwang") & (truth.day > 0)]
    assert len(certs) > 20
    for day in range(1, DAYS + 1):
        died = set(deaths[deaths.date == AS_OF + dt.timedelta(days=day - 1)].person_key)
        sent = set(certs[certs.day == day].entity_key)
        assert sent and sent <= died, day


def test_cremations_are_of_the_same_deaths(city):
    truth, vital = city
    died = set(vital[vital.change == "death"].person_key)
    cremated = set(truth[truth.contract_id == "minzheng.binzang"].entity_key)
    certified = set(truth[(truth.contract_id == "weijian.siwang") & (truth.day > 0)].entity_key)
    assert cremated and cremated <= died
    assert len(cremated & certified) >= 0.5 * len(cremated)  # cremated up to three days after the certificate
