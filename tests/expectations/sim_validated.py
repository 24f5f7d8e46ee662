"""A simulated city validated by the runner, built once per test session and shared by the tests that grade
breakdowns, correction lists and verdicts against the simulator's truth or an independent validator.

simulate → ingest (tests/dbt_project/sim_city.py) → dbt: seeds, staging and ``int_addresses_resolved`` only —
everything the validity runner reads and nothing more, so these tests neither wait for nor depend on the
marts → ``expectations.runner.validate``. About two minutes for 2,000 persons on this machine.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from citylake.config import Settings

PERSONS = 2000
RUN_ID = "sim-run-1"


@lru_cache(maxsize=1)
def sim_validated() -> Settings:
    from citylake.dbt import run_dbt
    from expectations.runner import validate
    from tests.dbt_project.sim_city import build_sim_warehouse

    root = Path(tempfile.mkdtemp(prefix="citylake-sim-validated-"))
    atexit.register(shutil.rmtree, root, True)
    s = build_sim_warehouse(root, persons=PERSONS, dbt_command="parse")
    run_dbt(s, ["build", "--select", "resource_type:seed", "staging", "int_addresses_resolved",
                "--exclude", "resource_type:test", "resource_type:unit_test",
                "--target-path", str(root / "target"), "--log-path", str(root / "logs")])
    s = replace(s, reports_dir=root / "reports")
    validate(s, RUN_ID)
    return s
