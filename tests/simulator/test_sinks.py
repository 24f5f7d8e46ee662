"""Every delivery form round-trips through the pipeline's own readers, at the row numbers the truth records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pandas as pd
import pytest
import xlrd

from ingest.readers.csv_reader import read_csv
from ingest.readers.json_reader import read_json, read_jsonl
from ingest.readers.xlsx_reader import read_xlsx
from ingest.readers.xml_reader import read_xml
from simulator.defects import Record
from simulator.feeds import writers
from simulator.truth import TruthWriter

N = 40


def _contract(contracts, fmt: str, encoding: str | None, ext: str, **delivery):
    base = contracts["gongan.hukou"]
    d = dataclasses.replace(base.delivery, format=fmt, encoding=encoding, path=f"test/{fmt}/*.{ext}", **delivery)
    return dataclasses.replace(base, delivery=d)


def _records(contract, n: int = N) -> list[Record]:
    out = []
    for i in range(n):
        values = {c.name: f"{c.label}{i}" for c in contract.columns}
        values["id_number"] = f"36090219900101{i:04d}"
        values["phone"] = "" if i % 7 == 0 else f"1380000{i:04d}"  # empty cells too
        values["name"] = f"张三{i}<&>\"'"  # characters XML and CSV must escape
        out.append(Record(values, entity_key=f"P{i}", context=None))
    return out


def _write(tmp_path, sink_cls, contract, recs, dup=0.0, **kw):
    truth = TruthWriter(tmp_path / "truth")
    sink = sink_cls(contract, tmp_path / "landing", f"x_20261121.{contract.delivery.path.rsplit('.', 1)[1]}",
                    truth, dup, random.Random(1), **kw)
    for r in recs:
        sink.write(r)
    summary = sink.close()
    truth.close()
    return tmp_path / "landing" / sink.source, summary, pd.read_parquet(tmp_path / "truth" / "records.parquet")


def _check(batch, contract, truth, recs):
    sources = [c.source for c in contract.columns]
    assert batch.header == sources
    assert not batch.bad_rows
    assert [r.row_number for r in batch.rows] == truth.row_number.tolist()
    by_key = {r.values["id_number"]: r for r in recs}
    for row, key in zip(batch.rows, truth.record_key):
        want = by_key[key].values
        assert row.values == {c.source: (want[c.name] or None) for c in contract.columns}


@pytest.mark.parametrize("encoding,bom,line_end", [("gbk", None, "\r\n"), ("gb18030", None, "\n"),
                                                   ("utf-8-sig", None, "\r\n"), ("utf-8", False, "\n")])
def test_csv_encodings_and_line_ends(tmp_path, contracts, encoding, bom, line_end):
    c = _contract(contracts, "csv", encoding, "csv")
    recs = _records(c)
    path, summary, truth = _write(tmp_path, writers.CsvSink, c, recs, dup=0.1, bom=bom, line_end=line_end)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert data.count(line_end.encode()) == summary["records"] + 1 and (line_end == "\r\n") == (b"\r\n" in data)
    batch = read_csv(data, "x", encoding=encoding)
    _check(batch, c, truth, recs)
    assert summary["duplicates"] > 0 and truth.row_number.tolist() == list(range(2, 2 + summary["records"]))


def test_jsonl(tmp_path, contracts):
    c = _contract(contracts, "jsonl", "utf-8", "jsonl")
    recs = _records(c)
    path, _, truth = _write(tmp_path, writers.JsonLinesSink, c, recs)
    _check(read_jsonl(path.read_bytes(), "x", encoding="utf-8"), c, truth, recs)
    assert truth.row_number.tolist() == list(range(1, N + 1))


@pytest.mark.parametrize("records_path", [None, "data.records"])
def test_json_document(tmp_path, contracts, records_path):
    c = _contract(contracts, "json", "utf-8", "json", records_path=records_path)
    recs = _records(c)
    path, _, truth = _write(tmp_path, writers.JsonDocSink, c, recs, envelope={"code": 0, "exportTime": "2026-11-21"})
    _check(read_json(path.read_bytes(), "x", encoding="utf-8", records_path=records_path), c, truth, recs)


@pytest.mark.parametrize("encoding", ["GBK", "UTF-8"])
def test_xml_children_and_attributes(tmp_path, contracts, encoding):
    c = _contract(contracts, "xml", encoding, "xml", record_tag="RYXX")
    cols = list(c.columns)
    cols[0] = dataclasses.replace(cols[0], source="@" + cols[0].source)  # the ID as an attribute
    c = dataclasses.replace(c, columns=tuple(cols))
    recs = _records(c)
    path, _, truth = _write(tmp_path, writers.XmlSink, c, recs, root_tag="DATA")
    data = path.read_bytes()
    assert data.startswith(f'<?xml version="1.0" encoding="{encoding}"?>'.encode())
    batch = read_xml(data, "x", record_tag="RYXX")
    assert set(batch.header) == {col.source for col in c.columns}
    batch.header = [col.source for col in c.columns]  # attributes come first in the reader's order
    _check(batch, c, truth, recs)


def test_xlsx_title_groups_and_extra_sheet(tmp_path, contracts):
    c = _contract(contracts, "xlsx", None, "xlsx", sheet="人员", header_row=3)
    n = len(c.columns)
    recs = _records(c)
    path, _, truth = _write(tmp_path, writers.XlsxSink, c, recs, title="测试表", creator="t",
                            created=dt.datetime(2026, 11, 21, 3), header_groups=(("基本信息", 5), ("其他", n - 5)),
                            extra_sheets={"填报说明": [["说明"], ["第二行"]]})
    _check(read_xlsx(path.read_bytes(), "x", sheet="人员", header_row=3), c, truth, recs)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert wb.sheetnames == ["人员", "填报说明"]
    merged = {str(r) for r in wb["人员"].merged_cells.ranges}
    assert "A2:E2" in merged and any(m.startswith("A1:") for m in merged)


def test_xls_splits_into_sheets_at_the_row_limit(tmp_path, contracts):
    c = _contract(contracts, "xls", None, "xls", sheet="人员", header_row=2)
    recs = _records(c, 25)
    path, summary, truth = _write(tmp_path, writers.XlsSink, c, recs, title="测试表", max_rows=12)
    book = xlrd.open_workbook(file_contents=path.read_bytes())
    assert book.sheet_names() == ["人员", "人员2", "人员3"]  # 10 data rows per sheet
    got = []
    for sh in book.sheets():
        assert sh.cell_value(0, 0) == "测试表" and sh.row_values(1) == [col.source for col in c.columns]
        got += [(sh.name, r + 1, sh.row_values(r)[0]) for r in range(2, sh.nrows)]
    assert got == list(zip(truth.sheet, truth.row_number, truth.record_key))
    assert len(got) == summary["records"] == 25


def test_xls_default_limit_is_65536_rows():
    assert writers.XLS_MAX_ROWS == 65_536


@pytest.mark.parametrize("fmt,sink", [("csv", writers.CsvSink), ("jsonl", writers.JsonLinesSink)])
def test_truncated_last_line_is_quarantined_and_in_truth(tmp_path, contracts, fmt, sink):
    c = _contract(contracts, fmt, "gbk" if fmt == "csv" else "utf-8", fmt)
    recs = _records(c)
    path, summary, truth = _write(tmp_path, sink, c, recs, truncate_last=True)
    data = path.read_bytes()
    assert not data.endswith(b"\n") and summary["truncated"] == 1
    batch = (read_csv(data, "x", encoding="gbk") if fmt == "csv" else read_jsonl(data, "x", encoding="utf-8"))
    assert [b.row_number for b in batch.bad_rows] == [truth.row_number.iloc[-1]]
    last = truth.iloc[-1]
    assert "truncated_last_line" in last.defects and not last.is_valid
    assert list(last.broken_rules) == [writers.TRUNCATED]
    assert truth.is_valid.iloc[:-1].all()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_mojibake_line_in_the_wrong_encoding(tmp_path, contracts, encoding):
    c = _contract(contracts, "csv", encoding, "csv")
    recs = _records(c)
    path, summary, truth = _write(tmp_path, writers.CsvSink, c, recs, mojibake_rate=0.2)
    hit = truth[truth.defects.map(lambda d: "mojibake" in d)]
    assert summary["mojibake"] == len(hit) > 0
    if encoding == "utf-8":  # GBK bytes cannot be read back as UTF-8: the record is lost
        assert all(list(b) == [writers.MOJIBAKE] for b in hit.broken_rules) and not hit.is_valid.any()
    else:  # UTF-8 inside GBK is self-identifying: the record keeps its values and its verdict
        assert all(list(b) == [] for b in hit.broken_rules) and hit.is_valid.all()
    lines = path.read_bytes().split(b"\r\n")
    wrong = "gbk" if encoding == "utf-8" else "utf-8"
    for n in hit.row_number:
        line = lines[n - 1]
        line.decode(wrong)  # the record was written in the other encoding
        with pytest.raises(UnicodeDecodeError):
            line.decode(encoding)
    batch = read_csv(path.read_bytes(), "x", encoding=encoding)
    if encoding == "utf-8":
        assert [b.row_number for b in batch.bad_rows] == hit.row_number.tolist()
    else:
        read = {r.row_number: r for r in batch.rows}
        assert not batch.bad_rows
        for rec_no in hit.row_number:
            assert [v or "" for v in read[rec_no].values.values()] == _cells_of(lines[rec_no - 1].decode("utf-8"))


@pytest.mark.parametrize("fmt,ext,encoding,sink", [
    ("csv", "csv", "gbk", writers.CsvSink), ("jsonl", "jsonl", "utf-8", writers.JsonLinesSink),
    ("json", "json", "utf-8", writers.JsonDocSink), ("xml", "xml", "GBK", writers.XmlSink),
])
def test_abort_leaves_nothing_in_landing(tmp_path, contracts, fmt, ext, encoding, sink):
    """A simulation that fails part-way must not leave a half-written delivery for ingestion to pick up."""
    c = _contract(contracts, fmt, encoding, ext)
    s = sink(c, tmp_path / "landing", f"x_20261121.{ext}", TruthWriter(tmp_path / "truth"), 0.0, random.Random(1))
    for r in _records(c, 5):
        s.write(r)
    s.abort()
    s.abort()  # aborting twice (a nested failure handler) is harmless
    assert [p for p in (tmp_path / "landing").rglob("*") if p.is_file()] == []


def _cells_of(line: str) -> list[str]:
    import csv

    return next(csv.reader([line]))


def _grouped(contracts, **delivery):
    """The hukou contract with its columns 2–4 under one group and 6–7 under another: ``group/leaf`` names."""
    c = _contract(contracts, "xlsx", None, "xlsx", **delivery)
    cols = list(c.columns)
    for i in (1, 2, 3):
        cols[i] = dataclasses.replace(cols[i], source=f"基本信息/{cols[i].source}")
    for i in (5, 6):
        cols[i] = dataclasses.replace(cols[i], source=f"联系方式/{cols[i].source}")
    return dataclasses.replace(c, columns=tuple(cols))


def test_xlsx_two_level_header_from_group_leaf_names(tmp_path, contracts):
    c = _grouped(contracts, sheet="人员", header_row=3, header_depth=2)
    recs = _records(c)
    path, _, truth = _write(tmp_path, writers.XlsxSink, c, recs, dup=0.1, title="测试表", creator="t",
                            created=dt.datetime(2026, 11, 21, 3))
    _check(read_xlsx(path.read_bytes(), "x", sheet="人员", header_row=3, header_depth=2), c, truth, recs)
    from openpyxl import load_workbook

    ws = load_workbook(path)["人员"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    n = len(c.columns)
    # the title across, each group across its leaves, every ungrouped name down both header rows
    assert merged == {f"A1:{chr(64 + n)}1", "B2:D2", "F2:G2", "A2:A3", "E2:E3"} | {
        f"{chr(65 + i)}2:{chr(65 + i)}3" for i in range(7, n)}
    assert [ws.cell(2, i).value for i in (1, 2, 5, 6)] == [c.columns[0].source, "基本信息", c.columns[4].source, "联系方式"]
    assert ws.cell(3, 2).value == c.columns[1].source.split("/")[1] and ws.cell(3, 1).value is None
    assert truth.row_number.tolist() == list(range(4, 4 + len(truth))) and truth.sheet.isna().all()


def test_xlsx_group_leaf_names_need_a_two_row_header(tmp_path, contracts):
    c = _grouped(contracts, sheet="人员", header_row=2)
    with pytest.raises(ValueError, match="headerDepth 2"):
        _write(tmp_path, writers.XlsxSink, c, [], title="测试表", creator="t", created=dt.datetime(2026, 11, 21))


def _month(rec) -> str:
    return f"2026年{int(rec.entity_key[1:]) % 3 + 9}月"


def test_xlsx_one_sheet_per_record_group(tmp_path, contracts):
    c = _grouped(contracts, sheet="*", header_row=4, header_depth=2)
    recs = _records(c)
    path, summary, truth = _write(tmp_path, writers.XlsxSink, c, recs, dup=0.15, title=lambda s: f"{s}台账",
                                  creator="t", created=dt.datetime(2026, 11, 21, 3), sheet_of=_month,
                                  sheets=("2026年11月",))
    batch = read_xlsx(path.read_bytes(), "x", sheet="*", header_row=4, header_depth=2)
    # the reader goes sheet by sheet, the truth in the order records were written
    assert sorted((r.part, r.row_number) for r in batch.rows) == sorted(zip(truth.sheet, truth.row_number))
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert wb.sheetnames == ["2026年11月", "2026年9月", "2026年10月"]  # opened up front, then as records arrive
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws.cell(2, 1).value == f"{name}台账"  # a blank first row, then the sheet's own title
        rows = truth[truth.sheet == name]
        assert rows.row_number.tolist() == list(range(5, 5 + len(rows))) == list(range(5, ws.max_row + 1))
        # every record (and every duplicate) sits in its own group's sheet
        assert all(_month(r) == name for r in recs if r.values[c.primary_key[0]] in set(rows.record_key))
    by_key = {r.values["id_number"]: r for r in recs}
    got = {(r.part, r.row_number): r.values for r in batch.rows}
    for sheet, row, key in zip(truth.sheet, truth.row_number, truth.record_key):
        assert got[(sheet, row)] == {col.source: (by_key[key].values[col.name] or None) for col in c.columns}
    assert summary["duplicates"] > 0 and len(batch.rows) == summary["records"] == N + summary["duplicates"]


def test_xlsx_sheets_stream_into_the_same_bytes(tmp_path, contracts):
    c = _contract(contracts, "xlsx", None, "xlsx", sheet="*", header_row=1)
    recs = _records(c)
    first = _write(tmp_path / "a", writers.XlsxSink, c, recs, dup=0.1, title=None, creator="t",
                   created=dt.datetime(2026, 11, 21), sheet_of=_month)[0].read_bytes()
    second = _write(tmp_path / "b", writers.XlsxSink, c, recs, dup=0.1, title=None, creator="t",
                    created=dt.datetime(2026, 11, 21), sheet_of=_month)[0].read_bytes()
    assert first == second
    batch = read_xlsx(first, "x", sheet="*", header_row=1)
    assert batch.header == [col.source for col in c.columns] and len(batch.rows) > N


def test_xlsx_with_no_records_still_has_its_header(tmp_path, contracts):
    c = _grouped(contracts, sheet="*", header_row=3, header_depth=2)
    path, summary, _ = _write(tmp_path, writers.XlsxSink, c, [], title="测试表", creator="t",
                              created=dt.datetime(2026, 11, 21), sheet_of=_month)
    batch = read_xlsx(path.read_bytes(), "x", sheet="*", header_row=3, header_depth=2)
    assert batch.header == [col.source for col in c.columns] and not batch.rows and summary["records"] == 0
