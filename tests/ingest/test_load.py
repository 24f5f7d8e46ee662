import json

import pyarrow.dataset as ds
import pytest

from ingest.lake import read_manifests, sweep_orphans
from ingest.load import ingest_files

from .conftest import drop_hukou, hukou_csv, person_row


_drop = drop_hukou


def _raw(lake):
    return ds.dataset(lake / "raw/gongan/hukou", format="parquet", partitioning="hive").to_table()


def test_rows_land_with_lineage_and_accounting(tmp_path, hukou):
    data = hukou_csv([person_row(), person_row(name="李四")])[:-32] + b"\r\n"  # the export cut the last row short
    landing, lake = _drop(tmp_path, "hukou_20261121.csv", data)
    (r,) = ingest_files(hukou, landing, lake)
    assert (r.status, r.rows_read, r.rows_written, r.rows_quarantined) == ("loaded", 2, 1, 1)
    t = _raw(lake)
    row = t.to_pylist()[0]
    assert row["id_number"] == "360902200101011238" and row["name"] == "张三"
    assert row["_source"] == "gongan/hukou/hukou_20261121.csv" and row["_row_number"] == 2
    assert row["_record_id"] == f"{r.load_id}:2" and len(row["_file_sha256"]) == 64
    q = ds.dataset(lake / "quarantine/gongan/hukou", format="parquet", partitioning="hive").to_table().to_pylist()
    assert q[0]["_row_number"] == 3 and "字段数" in q[0]["reason"] and q[0]["raw_text"]
    (m,) = read_manifests(lake, hukou)
    assert m.rows_read == m.rows_written + m.rows_quarantined == 2
    assert (m.unit, m.physical_units, m.units_landed, m.units_quarantined, m.units_skipped) == ("line", 3, 1, 1, 1)


def test_same_file_twice_adds_nothing(tmp_path, hukou):
    landing, lake = _drop(tmp_path, "a.csv", hukou_csv([person_row()]))
    ingest_files(hukou, landing, lake)
    (landing / "gongan/hukou/a_copy.csv").write_bytes((landing / "gongan/hukou/a.csv").read_bytes())
    results = ingest_files(hukou, landing, lake)
    assert sorted(r.status for r in results) == ["skipped", "skipped"]
    assert _raw(lake).num_rows == 1


def test_missing_required_column_rejects_file_whole_and_publishes_nothing(tmp_path, hukou):
    header = [c.source for c in hukou.columns]
    header[header.index("户籍地址")] = "住址"  # a department renamed a column
    landing, lake = _drop(tmp_path, "a.csv", hukou_csv([person_row()], header=header))
    (r,) = ingest_files(hukou, landing, lake)
    assert r.status == "rejected"
    assert "户籍地址" in r.message and "住址" in r.message and "a.csv" in r.message
    assert not (lake / "raw").exists()
    assert list((lake / "quarantine/gongan/hukou/_files").iterdir())[0].name.endswith("a.csv")
    (m,) = read_manifests(lake, hukou)
    assert m.status == "rejected"


def test_new_columns_are_kept_and_reported(tmp_path, hukou):
    header = [c.source for c in hukou.columns] + ["微信号"]
    landing, lake = _drop(tmp_path, "a.csv", hukou_csv([person_row() + ["wx_123"]], header=header))
    ingest_files(hukou, landing, lake)
    (m,) = read_manifests(lake, hukou)
    assert m.new_columns == ["微信号"]
    assert json.loads(_raw(lake).column("_extra")[0].as_py()) == {"微信号": "wx_123"}


def test_interrupted_publish_is_swept(tmp_path, hukou):
    landing, lake = _drop(tmp_path, "a.csv", hukou_csv([person_row()]))
    (r,) = ingest_files(hukou, landing, lake)
    manifest = lake / "_manifest/gongan/hukou" / f"{r.load_id}.json"
    manifest.unlink()  # as if the process died between the Parquet rename and the manifest
    removed = sweep_orphans(lake, hukou)
    assert len(removed) == 1 and removed[0].startswith("raw/gongan/hukou/load_date=")
    assert not (lake / removed[0]).exists()


def test_a_write_killed_before_its_rename_leaves_nothing_behind(tmp_path, hukou):
    landing, lake = _drop(tmp_path, "a.csv", hukou_csv([person_row()]))
    (r,) = ingest_files(hukou, landing, lake)
    part = next((lake / "raw/gongan/hukou").glob("load_date=*"))
    killed = part / ".0123456789abcdef.parquet.tmp"  # as a process killed mid-write leaves it
    killed.write_bytes(b"PAR1 half a file")
    removed = sweep_orphans(lake, hukou)
    assert removed == [str(killed.relative_to(lake))] and not killed.exists()
    assert (part / f"{r.load_id}.parquet").exists()  # the committed load is kept
    assert sweep_orphans(lake, hukou) == []


def test_department_temp_files_are_not_read(tmp_path, hukou):
    landing, lake = _drop(tmp_path, ".hukou.csv.tmp", hukou_csv([person_row()]))
    assert ingest_files(hukou, landing, lake) == []


def test_lake_root_can_be_an_fsspec_url(tmp_path, hukou):
    """The same load into an object-store-like lake (fsspec's in-memory filesystem)."""
    import io

    import fsspec
    import pyarrow.parquet as pq

    landing, _ = _drop(tmp_path, "a.csv", hukou_csv([person_row(), person_row(name="李四")]))
    url = f"memory://lake-{tmp_path.name}"
    (r,) = ingest_files(hukou, landing, url)
    assert (r.status, r.rows_written) == ("loaded", 2)
    fs = fsspec.filesystem("memory")
    (raw,) = fs.glob(f"/lake-{tmp_path.name}/raw/gongan/hukou/load_date=*/*.parquet")
    table = pq.read_table(io.BytesIO(fs.cat_file(raw)))
    assert table.column("name").to_pylist() == ["张三", "李四"]
    assert [m.load_id for m in read_manifests(url, hukou)] == [r.load_id]
    assert ingest_files(hukou, landing, url)[0].status == "skipped"
    assert not fs.glob(f"/lake-{tmp_path.name}/**/.*.tmp")


def test_json_and_xml_days_without_records_land_empty_not_as_drift(tmp_path):
    """A delta day with no petition is a document with no record, so it names no field: not schema drift."""
    from pathlib import Path

    from ingest.contracts import load_contract

    root = Path(__file__).resolve().parents[2] / "contracts"
    for cid, name, data in (
        ("shengtai.tousu", "tousu_20261122.json", b'{"code":0,"msg":"ok","exportTime":"2026-11-22 01:00:00","rows":[]}'),
        ("xinfang.xinfangjian", "xinfangjian_20261122.xml",
         '<?xml version="1.0" encoding="UTF-8"?>\n<XFJLIST></XFJLIST>\n'.encode("utf-8")),
    ):
        dept, feed = cid.split(".")
        c = load_contract(root / dept / f"{feed}.yaml")
        folder = tmp_path / "landing" / c.delivery.path.rsplit("/", 1)[0]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        (r,) = ingest_files(c, tmp_path / "landing", tmp_path / "lake")
        assert r.status != "rejected", (cid, r.message)
        assert r.rows_read == r.rows_written == r.rows_quarantined == 0
