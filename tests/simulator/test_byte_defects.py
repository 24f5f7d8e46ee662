"""Mojibake and a truncated last line, configured as rates like any defect, reach the file and the truth,
and the pipeline's reader quarantines what it cannot parse."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.load import read_file
from simulator.city import simulate
from simulator.defects import config_with_rates
from tests.simulator.conftest import AS_OF

CID = "gongan.liudong"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("bytes")
    rates = {CID: {"mojibake": 0.05, "truncated_last_line": 1.0}}
    summary = simulate(out, persons=1500, seed=11, as_of=AS_OF, rates=rates)
    return out, summary


def test_writer_kinds_need_no_columns():
    assert config_with_rates({CID: {"mojibake": 0.1}})[CID].rates["mojibake"] == 0.1
    with pytest.raises(ValueError, match="do not apply"):
        config_with_rates({CID: {"bad_uscc": 0.1}})


def test_truncated_last_line_in_file_and_truth(city, contracts):
    out, summary = city
    rel = summary["feeds"][CID]["path"]
    data = (out / "landing" / rel).read_bytes()
    assert not data.endswith(b"\n")  # the export stopped mid-record
    truth = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = truth[truth.contract_id == CID].sort_values("row_number")
    last = mine.iloc[-1]
    assert "truncated_last_line" in last.defects and "_record:unparseable" in last.broken_rules
    assert (mine.defects.map(lambda d: "truncated_last_line" in d)).sum() == 1
    batch = read_file(contracts[CID], data, rel)
    assert last.row_number in {b.row_number for b in batch.bad_rows}


def test_utf8_lines_in_a_gbk_file_are_recovered_intact(city, contracts):
    out, summary = city
    truth = pd.read_parquet(out / "sim" / "truth" / "records.parquet")
    mine = truth[truth.contract_id == CID].set_index("row_number")
    hit = mine[mine.defects.map(lambda d: "mojibake" in d)]
    assert 0.025 < len(hit) / len(mine) < 0.08
    assert not any("_record:encoding" in b for b in hit.broken_rules)  # recoverable: the truth keeps the verdict
    rel = summary["feeds"][CID]["path"]
    data = (out / "landing" / rel).read_bytes()
    lines = data.split(b"\r\n")
    for row in hit.index[:20]:
        line = lines[int(row) - 1]
        assert line != line.decode("utf-8").encode("gbk")  # written as UTF-8, not as the file's GBK
    batch = read_file(contracts[CID], data, rel)
    by_row = {r.row_number: r for r in batch.rows}
    assert {int(r) for r in hit.index} <= set(by_row)
    assert any("UTF-8" in n for n in batch.notes)


def test_gbk_bytes_in_a_utf8_file_are_lost_and_quarantined(tmp_path, contracts):
    cid = "tongji.quhua"  # a UTF-8 CSV
    summary = simulate(tmp_path, persons=1500, seed=11, as_of=AS_OF, rates={cid: {"mojibake": 1.0}})  # a small city has few divisions
    truth = pd.read_parquet(tmp_path / "sim" / "truth" / "records.parquet")
    mine = truth[truth.contract_id == cid].set_index("row_number")
    hit = mine[mine.defects.map(lambda d: "mojibake" in d)]
    assert len(hit) > 0 and all("_record:encoding" in b for b in hit.broken_rules) and not hit.is_valid.any()
    rel = summary["feeds"][cid]["path"]
    batch = read_file(contracts[cid], (tmp_path / "landing" / rel).read_bytes(), rel)
    assert {int(r) for r in hit.index} == {b.row_number for b in batch.bad_rows}
