"""The streamed load (ingest.stream via ingest.load.land_csv_stream): row groups as it reads, the same rows
and lineage as the whole-file path, nothing left behind when it fails, and no pandas in the process."""

import datetime as dt
import subprocess
import sys

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import ingest.readers.csv_stream as csv_stream
from ingest.lake import build_tables
from ingest.load import ingest_files, read_file
from ingest.stream import StreamSink

from .conftest import ROOT, city_rows, drop_hukou, hukou_csv

NOW = dt.datetime(2026, 11, 21, 2, 30, tzinfo=dt.timezone.utc)


def _lake_rows(lake, area="raw"):
    return ds.dataset(lake / area / "gongan/hukou", format="parquet", partitioning="hive").to_table()


def test_streamed_rows_and_lineage_equal_the_whole_file_reader(tmp_path, hukou, monkeypatch):
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", 8192)  # so one small file crosses many blocks
    rows = city_rows(600)
    rows[250][1] = '刘"明'  # one block takes the careful path
    rows[400] = rows[400][:5]  # a short row, quarantined
    data = hukou_csv(rows)
    landing, lake = drop_hukou(tmp_path, "hukou_20261121.csv", data)
    (r,) = ingest_files(hukou, landing, lake, now=NOW)
    assert (r.status, r.rows_written, r.rows_quarantined) == ("loaded", 598, 2)

    (raw_file,) = (lake / "raw/gongan/hukou").rglob("*.parquet")
    assert pq.ParquetFile(raw_file).metadata.num_row_groups >= 8  # written as it streamed, not at the end
    got = _lake_rows(lake).drop_columns(["load_date"])
    batch = read_file(hukou, data, "gongan/hukou/hukou_20261121.csv")
    want, want_q = build_tables(hukou, batch, r.load_id, NOW, [])
    assert got.to_pylist() == want.to_pylist()
    q = _lake_rows(lake, "quarantine").drop_columns(["load_date"])
    assert q.to_pylist() == want_q.to_pylist()


def test_new_columns_are_kept_per_row_as_extra(tmp_path, hukou):
    header = [c.source for c in hukou.columns] + ["备注"]
    rows = [r + [("新字段" if i % 2 else "")] for i, r in enumerate(city_rows(4))]
    landing, lake = drop_hukou(tmp_path, "hukou_20261121.csv", hukou_csv(rows, header=header))
    (r,) = ingest_files(hukou, landing, lake, now=NOW)
    assert r.status == "loaded"
    assert _lake_rows(lake).column("_extra").to_pylist() == [None, '{"备注": "新字段"}', None, '{"备注": "新字段"}']


def test_a_load_that_fails_mid_stream_leaves_nothing_in_the_lake(tmp_path, hukou, monkeypatch):
    def broken(self, unit, physical):
        raise RuntimeError("disk full")

    monkeypatch.setattr(StreamSink, "cover", broken)
    landing, lake = drop_hukou(tmp_path, "hukou_20261121.csv", hukou_csv(city_rows(50)))
    (r,) = ingest_files(hukou, landing, lake, now=NOW)
    assert r.status == "rejected" and "disk full" in r.message and "hukou_20261121.csv" in r.message
    leftovers = [p for p in (lake / "raw").rglob("*")] if (lake / "raw").exists() else []
    assert not [p for p in leftovers if p.is_file()], leftovers


@pytest.mark.parametrize("damaged", [False, True], ids=["clean", "careful-block"])
def test_a_streamed_load_never_imports_pandas(tmp_path, damaged):
    """pyarrow imports pandas on its first Python-object conversion (2.4 s here): the load must not need it."""
    rows = city_rows(200)
    if damaged:
        rows[50][1] = '王"五'
    landing, lake = drop_hukou(tmp_path, "hukou_20261121.csv", hukou_csv(rows))
    code = (
        "import sys; from pathlib import Path; from ingest.contracts import load_contract; "
        "from ingest.load import ingest_files; "
        f"c = load_contract(Path({str(ROOT / 'contracts/gongan/hukou.yaml')!r})); "
        f"(r,) = ingest_files(c, Path({str(landing)!r}), Path({str(lake)!r})); "
        "assert r.status == 'loaded', r; print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
