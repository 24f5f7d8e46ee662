"""Issue 13: damaged deliveries lose nothing. Every physical line of the file is landed, quarantined or
accounted (header), and a delivery that is not complete is held instead of becoming the register."""

import os
import time

import numpy as np
import pyarrow.dataset as ds
import pytest

from ingest.accounting import check_cover, count_lines
from ingest.contracts import load_contract
from ingest.lake import read_manifests
from ingest.load import ingest_files
from ingest.records import LoadError, ParsedRow, SourceBatch, Skipped

from .conftest import ROOT, assert_every_line_covered, city_rows, drop_hukou, hukou_csv

DIR = "gongan/hukou"


_drop = drop_hukou


def _rows(lake, area="raw"):
    path = lake / area / DIR
    if not path.exists():
        return []
    return ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pylist()


def _balanced(m) -> bool:
    return m.physical_units == m.units_landed + m.units_quarantined + m.units_skipped


@pytest.mark.parametrize("rows, damaged, value, line, reason", [
    (300, 49, '王"五', 51, "引号不配对"),  # an unbalanced quote inside one cell
    (50, 3, "张\x00\x00\x00", 5, "NUL"),  # three NUL bytes in the first 4 KB
])
def test_one_damaged_cell_costs_its_line_not_the_rest_of_the_file(tmp_path, hukou, rows, damaged, value, line, reason):
    records = city_rows(rows)
    records[damaged][1] = value
    data = hukou_csv(records)
    landing, lake = _drop(tmp_path, "hukou_20261121.csv", data)
    (r,) = ingest_files(hukou, landing, lake)
    assert (r.status, r.rows_written, r.rows_quarantined) == ("loaded", rows - 1, 1)
    (q,) = _rows(lake, "quarantine")
    assert q["_row_number"] == line and reason in q["reason"]
    (m,) = read_manifests(lake, hukou)
    assert m.physical_units == count_lines(data) == rows + 1 and _balanced(m)


def test_a_quoted_field_may_span_lines_within_the_bound(hukou):
    from ingest.readers.csv_reader import read_csv

    data = '公民身份号码,姓名,备注\r\n1,a,"第一行\r\n第二行"\r\n2,b,"x\r\n' + "续\r\n" * 5 + '"\r\n3,c,d\r\n'
    data = data.encode("gbk")
    b = read_csv(data, "x.csv", encoding="gbk", max_record_lines=3)
    # Record 2 spans 7 lines, over the bound of 3: its opening line is quarantined and reading resumes.
    assert [r.span for r in b.rows][0] == (2, 3) and b.rows[-1].values["姓名"] == "c"
    assert b.bad_rows[0].row_number == 4 and "引号不配对" in b.bad_rows[0].reason
    assert_every_line_covered(b, data)


def test_the_coverage_check_catches_a_reader_that_swallows_lines():
    batch = SourceBatch(source="gongan/hukou/a.csv", sha256="0", header=["a"],
                        rows=[ParsedRow(2, {"a": "1"})], skipped=[Skipped(1, 1, "header")])
    with pytest.raises(LoadError, match=r"a\.csv: 7 of 9 physical lines neither landed nor quarantined, the first is line 3"):
        check_cover(batch, {None: np.arange(1, 10)})


def test_utf16_file_one_byte_short_is_held_with_its_lines_and_does_not_block_the_next(tmp_path, hukou):
    full = hukou_csv(city_rows(20), encoding="utf-16")
    landing, lake = _drop(tmp_path, "hukou_20261120.csv", full[:-1])
    (r,) = ingest_files(hukou, landing, lake)
    assert r.status == "held" and "换行符" in r.message
    (m,) = read_manifests(lake, hukou)
    assert m.status == "held" and _balanced(m) and m.physical_units == 21
    assert m.units_quarantined == 1  # the cut last line
    assert not _rows(lake) and len(_rows(lake, "held")) == 19
    (landing / DIR / "hukou_20261121.csv").write_bytes(full)
    results = ingest_files(hukou, landing, lake)
    assert [x.status for x in results] == ["held", "loaded"]  # the held one stays held, the next lands
    assert len(_rows(lake)) == 20


def test_file_without_final_terminator_is_held_not_the_register(tmp_path, hukou):
    full = hukou_csv(city_rows(300))
    landing, lake = _drop(tmp_path, "hukou_20261120.csv", full)
    ingest_files(hukou, landing, lake)
    cut = hukou_csv(city_rows(300))[: len(full) // 3]  # a copy still in progress, cut mid-line
    (landing / DIR / "hukou_20261121.csv").write_bytes(cut)
    (r,) = [x for x in ingest_files(hukou, landing, lake) if x.status != "skipped"]
    assert r.status == "held" and "截断" in r.message
    assert {x["_source"] for x in _rows(lake)} == {f"{DIR}/hukou_20261120.csv"}  # the register is unchanged
    # The complete file arrives under the same name: it lands and becomes the snapshot.
    (landing / DIR / "hukou_20261121.csv").write_bytes(hukou_csv(city_rows(301)))
    (r,) = [x for x in ingest_files(hukou, landing, lake) if x.status != "skipped"]
    assert (r.status, r.rows_written) == ("loaded", 301)


def test_full_snapshot_far_smaller_than_the_last_is_held(tmp_path, hukou):
    landing, lake = _drop(tmp_path, "hukou_20261120.csv", hukou_csv(city_rows(300)))
    ingest_files(hukou, landing, lake)
    (landing / DIR / "hukou_20261121.csv").write_bytes(hukou_csv(city_rows(120)))
    (r,) = [x for x in ingest_files(hukou, landing, lake) if x.status != "skipped"]
    assert r.status == "held" and "120" in r.message and "300" in r.message
    # A second run does not land it again: it is still held, once.
    (r2,) = [x for x in ingest_files(hukou, landing, lake) if x.status != "skipped"]
    assert r2.status == "held" and r2.message.startswith("still held")
    assert sum(m.status == "held" for m in read_manifests(lake, hukou)) == 1


def test_an_older_export_resent_after_a_newer_one_is_held_a_same_name_correction_loads(tmp_path, hukou):
    landing, lake = _drop(tmp_path, "hukou_20261121.csv", hukou_csv(city_rows(300)))
    ingest_files(hukou, landing, lake)
    (landing / DIR / "hukou_20261119.csv").write_bytes(hukou_csv(city_rows(299)))
    (r,) = [x for x in ingest_files(hukou, landing, lake) if x.status != "skipped"]
    assert r.status == "held" and "旧快照" in r.message
    (landing / DIR / "hukou_20261121.csv").write_bytes(hukou_csv(city_rows(302)))  # the department's correction
    (r,) = [x for x in ingest_files(hukou, landing, lake) if x.status not in ("skipped", "held")]
    assert (r.status, r.rows_written) == ("loaded", 302)


def test_done_marker_declared_by_the_contract_holds_until_it_arrives(tmp_path):
    text = (ROOT / "contracts/gongan/hukou.yaml").read_text(encoding="utf-8").replace(
        '      - {property: delimiter, value: ","}', '      - {property: delimiter, value: ","}\n      - {property: doneMarker, value: .ok}')
    (tmp_path / "gongan").mkdir()
    (tmp_path / "gongan/hukou.yaml").write_text(text, encoding="utf-8")
    c = load_contract(tmp_path / "gongan/hukou.yaml")
    landing, lake = _drop(tmp_path, "hukou_20261121.csv", hukou_csv(city_rows(10)))
    (r,) = ingest_files(c, landing, lake)
    assert r.status == "held" and "hukou_20261121.csv.ok" in r.message
    (landing / DIR / "hukou_20261121.csv.ok").write_bytes(b"")
    (r,) = ingest_files(c, landing, lake)
    assert (r.status, r.rows_written) == ("loaded", 10)


def test_a_file_still_settling_is_held(tmp_path, hukou):
    import dataclasses

    c = dataclasses.replace(hukou, delivery=dataclasses.replace(hukou.delivery, settle_seconds=3600))
    landing, lake = _drop(tmp_path, "hukou_20261121.csv", hukou_csv(city_rows(10)))
    (r,) = ingest_files(c, landing, lake)
    assert r.status == "held" and "3600" in r.message
    old = time.time() - 7200
    os.utime(landing / DIR / "hukou_20261121.csv", (old, old))
    (r,) = ingest_files(c, landing, lake)
    assert r.status == "loaded"


def test_a_reader_crash_rejects_that_file_naming_it_and_the_rest_still_land(tmp_path, hukou, monkeypatch):
    import ingest.load as load

    real = load.stream_csv

    def flaky(f, source, **kw):
        if source.endswith("20261120.csv"):
            raise UnicodeDecodeError("utf-16-le", b"\x00", 0, 1, "truncated data")
        return real(f, source, **kw)

    monkeypatch.setattr(load, "stream_csv", flaky)
    landing, lake = _drop(tmp_path, "hukou_20261120.csv", hukou_csv(city_rows(5)))
    (landing / DIR / "hukou_20261121.csv").write_bytes(hukou_csv(city_rows(6)))
    results = ingest_files(hukou, landing, lake)
    assert [x.status for x in results] == ["rejected", "loaded"]
    assert "hukou_20261120.csv" in results[0].message and "truncated data" in results[0].message
    rejected = [m for m in read_manifests(lake, hukou) if m.status == "rejected"]
    assert rejected[0].physical_units == 6
