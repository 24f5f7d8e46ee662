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


def test_ingest_says_a_redelivery_was_skipped_not_an_empty_accounting():
    from citylake.cli import describe_ingest

    summary = {"contract_id": "gongan.hukou", "rows_read": 0, "rows_written": 0, "rows_quarantined": 0,
               "loads": [{"source": "gongan/hukou/hukou_20261121.csv", "status": "skipped", "rows_read": 0,
                          "rows_written": 0, "rows_quarantined": 0, "message": "already loaded (same sha256)"}]}
    lines = describe_ingest(summary)
    assert lines[1] == "  gongan/hukou/hukou_20261121.csv: skipped, already loaded (same sha256)"
    assert describe_ingest({**summary, "loads": []}) == ["gongan.hukou: no delivery"]


def test_ingest_of_an_unknown_feed_names_it_and_exits_2(tmp_path):
    citylake = Path(sys.executable).parent / "citylake"
    proc = subprocess.run([str(citylake), "ingest", "--feed", "nosuch.feed"], cwd=tmp_path,
                          env={**os.environ, "CITYLAKE_DATA_DIR": str(tmp_path / "data")},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown feed nosuch.feed" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
