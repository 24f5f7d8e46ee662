"""The citylake command's defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_simulate_writes_into_the_configured_data_folder(tmp_path):
    """Without --out the city goes where the rest of the pipeline reads it ($CITYLAKE_DATA_DIR), never into
    the checkout's own data/ folder."""
    citylake = Path(sys.executable).parent / "citylake"
    env = {**os.environ, "CITYLAKE_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([str(citylake), "simulate", "--persons", "60", "--as-of", "2026-11-21"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "data" / "landing" / "gongan" / "hukou").is_dir()
    assert (tmp_path / "data" / "sim" / "truth" / "records.parquet").is_file()
