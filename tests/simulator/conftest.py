"""A 1,000-person city, simulated once per test session (and twice more for reproducibility)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from simulator.city import simulate

AS_OF = dt.date(2026, 11, 21)
SEED = 20261121
PERSONS = 1000


@pytest.fixture(scope="session")
def city(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("city")
    return out, simulate(out, persons=PERSONS, seed=SEED, as_of=AS_OF)


@pytest.fixture(scope="session")
def mid_city(tmp_path_factory) -> tuple[Path, dict]:
    """10,000 persons: rates and validity ratios measured to better than ±1%, and the time budget checked."""
    out = tmp_path_factory.mktemp("mid_city")
    return out, simulate(out, persons=10_000, seed=7, as_of=AS_OF)


@pytest.fixture(scope="session")
def records(city) -> pd.DataFrame:
    out, _ = city
    return pd.read_parquet(out / "sim" / "truth" / "records.parquet")


@pytest.fixture(scope="session")
def contracts():
    from citylake.config import settings
    from ingest.contracts import load_contracts

    return {c.id: c for c in load_contracts(settings().contracts_dir)}
