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


def _drain(stream):
    rows, bad = [], []
    for b in stream.blocks:
        names = list(b.columns)
        cols = [b.columns[n].to_pylist() for n in names]
        rows += [(int(f), dict(zip(names, v))) for f, *v in zip(b.first, *cols)]
        bad += [x.row_number for x in b.bad]
    return rows, bad


def test_gbk_xml_streams_record_by_record_across_chunks_and_blocks(monkeypatch):
    import io

    import ingest.readers.xml_reader as xml_reader
    import ingest.records as records

    monkeypatch.setattr(xml_reader, "_CHUNK", 256)  # the document arrives in many small pieces
    body = "".join(f'<人员 编号="{i}"><姓名>王{i}</姓名><地址> 宜春市{i}号 </地址></人员>' for i in range(1, 301))
    doc = f'<?xml version="1.0" encoding="GBK"?><数据><人员列表>{body}</人员列表></数据>'.encode("gbk")
    stream = xml_reader.stream_xml(io.BytesIO(doc), "x.xml", record_tag="人员")
    blocks = list(records.blocks_from_items(xml_reader._items(io.BytesIO(doc), "x.xml", "人员", "gb18030",
                                                              xml_reader._DECLARED.match(doc)), size=64))
    assert len(blocks) == 5  # 300 records in blocks of 64
    rows, bad = _drain(stream)
    assert not bad and [n for n, _ in rows] == list(range(1, 301))
    assert rows[41][1] == {"@编号": "42", "姓名": "王42", "地址": "宜春市42号"}
    whole = xml_reader.read_xml(doc, "x.xml", record_tag="人员")
    assert [(r.row_number, r.values) for r in whole.rows] == rows


def test_record_tags_are_counted_once_across_chunk_edges(tmp_path):
    from ingest.readers.xml_reader import count_records, count_records_in

    doc = ("<r>" + "".join(f"<ns:rec id='{i}'/><recx/>" for i in range(500)) + "</r>").encode()
    path = tmp_path / "d.xml"
    path.write_bytes(doc)
    assert count_records(doc, "rec") == 500
    for chunk in (7, 64, 1000, 1 << 20):
        assert count_records_in(path, "rec", chunk_bytes=chunk) == 500, chunk


def test_json_document_streams_at_its_records_path_in_gbk():
    import io

    from ingest.readers.json_reader import read_json, stream_json

    recs = ",".join(f'{{"编号": "{i}", "内容": "宜春{i}", "附件": [1, 2.5]}}' for i in range(1, 121))
    doc = f'{{"code": 0, "data": {{"records": [{recs}, 7]}}}}'.encode("gbk")
    rows, bad = _drain(stream_json(io.BytesIO(doc), "x.json", encoding="gbk", records_path="data.records"))
    assert len(rows) == 120 and bad == [121]  # the 121st item is not an object
    assert rows[0] == (1, {"编号": "1", "内容": "宜春1", "附件": "[1, 2.5]"})
    whole = read_json(doc, "x.json", encoding="gbk", records_path="data.records")
    assert [(r.row_number, r.values) for r in whole.rows] == rows
