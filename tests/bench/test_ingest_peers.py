"""The ingestion comparison of `make bench`: same file for every tool, every record kept by each, ratios."""

from pathlib import Path

import pytest

from bench import ingest_peers

ROOT = Path(__file__).resolve().parents[2]


def _hukou(tmp_path: Path, n: int) -> Path:
    from tests.ingest.conftest import city_rows, hukou_csv

    f = tmp_path / "hukou_20261121.csv"
    f.write_bytes(hukou_csv(city_rows(n)))
    return f


def test_replicate_keeps_one_header_and_repeats_the_data_lines(tmp_path):
    src = _hukou(tmp_path, 7)
    out = ingest_peers.replicate(src, tmp_path / "x3.csv", 3)
    lines = out.read_bytes().split(b"\r\n")
    assert lines[0] == src.read_bytes().split(b"\r\n")[0] and len(lines) == 1 + 3 * 7 + 1  # last: after the end
    assert lines[1:8] == lines[8:15] == lines[15:22]


@pytest.mark.timeout(300)
def test_the_three_tools_run_on_the_same_file_and_keep_every_record(tmp_path):
    result = ingest_peers.compare(_hukou(tmp_path, 300), tmp_path / "work", rounds=1)
    assert set(result["tools"]) == {"citylake", "iconv+duckdb", "pandas"}
    assert {t["rows"] for t in result["tools"].values()} == {300}
    assert result["vs_pandas"] == round(result["tools"]["pandas"]["seconds"] / result["tools"]["citylake"]["seconds"], 2)
    table = ingest_peers.markdown([result])
    assert table.count("\n") == 4 and "| citylake |" in table


def test_verdicts_follow_the_issue_targets():
    base = {"tools": {"citylake": {"peak_rss_mb": 900}}, "vs_engine_limit": 0.6, "vs_pandas": 3.0}
    assert all(ok for _, ok in ingest_peers.verdicts(base))
    worse = {"tools": {"citylake": {"peak_rss_mb": 1100}}, "vs_engine_limit": 0.59, "vs_pandas": 2.9}
    assert not any(ok for _, ok in ingest_peers.verdicts(worse))
