"""A simulated city validated by the runner, shared by the tests that grade breakdowns, correction lists and
verdicts against the simulator's truth or an independent validator.

It is the shared published city (``tests/published_city.py``: simulate → ingest → dbt build → validate →
publish, built once per test session across xdist workers), whose published warehouse holds the staging
views and the ``quality`` tables these tests read; only the reports folder is private, because the tests
write correction lists.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from citylake.config import Settings
from tests.published_city import RUN_ID, published_city

__all__ = ["RUN_ID", "sim_validated"]


@lru_cache(maxsize=1)
def sim_validated() -> Settings:
    root = Path(tempfile.mkdtemp(prefix="citylake-sim-validated-"))
    atexit.register(shutil.rmtree, root, True)
    return replace(published_city(), reports_dir=root / "reports")
