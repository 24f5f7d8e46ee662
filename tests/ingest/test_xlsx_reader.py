import io

import openpyxl
from openpyxl.styles import Font
import pytest

from ingest.readers.xlsx_reader import read_xlsx
from ingest.records import LoadError


def workbook(rows, title="宜春市房屋信息登记表", sheet="房屋信息") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_title_row_skipped_and_excel_row_numbers_kept():
    data = workbook([["房屋编号", "门牌号", "建筑面积", "备注"], ["F1", "88号", 89.0, "=SUM(A1:A2)"], ["F2", "90号", 75.5, None]])
    b = read_xlsx(data, "zhujian/fangwu/f.xlsx", sheet="房屋信息", header_row=2)
    assert b.header == ["房屋编号", "门牌号", "建筑面积", "备注"]
    assert [r.row_number for r in b.rows] == [3, 4]
    assert b.rows[0].values == {"房屋编号": "F1", "门牌号": "88号", "建筑面积": "89", "备注": "=SUM(A1:A2)"}
    assert b.rows[1].values["建筑面积"] == "75.5"


def test_missing_sheet_and_non_workbook_fail_clearly():
    with pytest.raises(LoadError, match="sheet '房屋信息' not found"):
        read_xlsx(workbook([["a"]], sheet="Sheet9"), "f.xlsx", sheet="房屋信息", header_row=2)
    with pytest.raises(LoadError, match="not an xlsx"):
        read_xlsx(b"id,name\n1,2\n", "f.xlsx", sheet=None)


def test_all_sheets_are_read_and_rows_name_their_sheet():
    wb = openpyxl.Workbook()
    for i, name in enumerate(["第1页", "第2页"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        ws.append(["房屋编号", "门牌号"])
        ws.append([f"F{i}", "88号"])
    buf = io.BytesIO()
    wb.save(buf)
    b = read_xlsx(buf.getvalue(), "f.xlsx", sheet="*", header_row=1)
    assert [(r.part, r.row_number, r.values["房屋编号"]) for r in b.rows] == [("第1页", 2, "F0"), ("第2页", 2, "F1")]


def test_sheets_with_different_headers_fail():
    wb = openpyxl.Workbook()
    wb.active.append(["房屋编号", "门牌号"])
    wb.create_sheet().append(["房屋编号", "楼栋号"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(LoadError, match="different header"):
        read_xlsx(buf.getvalue(), "f.xlsx", sheet="*")


def test_legacy_xls_with_title_row_dates_and_numbers():
    import datetime as dt

    import xlwt

    from ingest.readers.xlsx_reader import read_xls

    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("退役军人")
    sh.write_merge(0, 0, 0, 2, "宜春市退役军人信息表")
    for c, h in enumerate(["姓名", "入伍时间", "优抚金额"]):
        sh.write(1, c, h)
    sh.write(2, 0, "王五")
    sh.write(2, 1, dt.datetime(1998, 12, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sh.write(2, 2, 1200.0)
    buf = io.BytesIO()
    book.save(buf)
    b = read_xls(buf.getvalue(), "t.xls", sheet="退役军人", header_row=2)
    assert b.header == ["姓名", "入伍时间", "优抚金额"]
    assert [(r.row_number, r.values) for r in b.rows] == [(3, {"姓名": "王五", "入伍时间": "1998-12-01", "优抚金额": "1200"})]
    with pytest.raises(LoadError, match="not an .xls"):
        read_xls(b"PK\x03\x04", "t.xls", sheet=None)


def test_multi_sheet_rows_land_with_the_sheet_in_their_source(tmp_path, fangwu):
    import dataclasses

    import pyarrow.dataset as ds

    from ingest.load import ingest_files

    contract = dataclasses.replace(fangwu, delivery=dataclasses.replace(fangwu.delivery, sheet="*", header_row=1))
    wb = openpyxl.Workbook()
    for i in range(2):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = f"房屋信息{i + 1}"
        ws.append([c.source for c in fangwu.columns])
        ws.append([f"F{i}", "360902", "秀江东路", "88号", "金域华府", "3栋", "2单元", "1201室", "住宅", 89,
                   "360902200101011238", "张三", "否", "G1", "2026-11-01"])
    d = tmp_path / "landing/zhujian/fangwu"
    d.mkdir(parents=True)
    wb.save(d / "fangwu_20261121.xlsx")
    (r,) = ingest_files(contract, tmp_path / "landing", tmp_path / "lake")
    t = ds.dataset(tmp_path / "lake/raw/zhujian/fangwu", format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted((x["_source"], x["_row_number"]) for x in t) == [
        ("zhujian/fangwu/fangwu_20261121.xlsx#房屋信息1", 2), ("zhujian/fangwu/fangwu_20261121.xlsx#房屋信息2", 2)]
    assert len({x["_record_id"] for x in t}) == 2


def _two_level_header(ws_write, merge):
    """Title row, then 序号 and 房屋编号 merged down, 产权人 merged across 姓名 | 证件号码."""
    ws_write(0, 0, "宜春市房屋产权登记表")
    merge(0, 0, 0, 3)
    ws_write(1, 0, "序号")
    merge(1, 2, 0, 0)
    ws_write(1, 1, "产权人")
    merge(1, 1, 1, 2)
    ws_write(2, 1, "姓名")
    ws_write(2, 2, "证件号码")
    ws_write(1, 3, "房屋编号")
    merge(1, 2, 3, 3)
    for c, v in enumerate(["1", "张三", "360902200101011238", "F1"]):
        ws_write(3, c, v)


EXPECTED_HEADER = ["序号", "产权人/姓名", "产权人/证件号码", "房屋编号"]


def test_xlsx_two_level_header_with_merged_cells():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "产权"
    _two_level_header(lambda r, c, v: ws.cell(r + 1, c + 1, v),
                      lambda r1, r2, c1, c2: ws.merge_cells(start_row=r1 + 1, end_row=r2 + 1,
                                                            start_column=c1 + 1, end_column=c2 + 1))
    buf = io.BytesIO()
    wb.save(buf)
    b = read_xlsx(buf.getvalue(), "f.xlsx", sheet="产权", header_row=3, header_depth=2)
    assert b.header == EXPECTED_HEADER
    assert [(r.row_number, r.values["产权人/姓名"]) for r in b.rows] == [(4, "张三")]


def test_xls_two_level_header_with_merged_cells():
    import xlwt

    from ingest.readers.xlsx_reader import read_xls

    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("产权")
    pending = {}

    def write(r, c, v):
        pending[(r, c)] = v

    def merge(r1, r2, c1, c2):
        sh.write_merge(r1, r2, c1, c2, pending.pop((r1, c1)))

    _two_level_header(write, merge)
    for (r, c), v in pending.items():
        sh.write(r, c, v)
    buf = io.BytesIO()
    book.save(buf)
    b = read_xls(buf.getvalue(), "f.xls", sheet="产权", header_row=3, header_depth=2)
    assert b.header == EXPECTED_HEADER
    assert b.rows[0].values["产权人/证件号码"] == "360902200101011238"


def test_header_names_spread_merges_only_over_their_range():
    from ingest.readers.xlsx_reader import header_names

    rows = [["序号", "产权人", None, None], [None, "姓名", "证件号码", "备注"]]
    # 产权人 spans B:C only; D has no group even though its top cell is blank.
    assert header_names(rows, [(2, 1, 3, 1), (2, 2, 2, 3)], 2) == ["序号", "产权人/姓名", "产权人/证件号码", "备注"]


def test_a_header_naming_a_column_twice_is_refused():
    data = workbook([["房屋编号", "门牌号", "门牌号", "备注"], ["F1", "88号", "89号", None]])
    with pytest.raises(LoadError, match=r"header row 2 of sheet '房屋信息' names column '门牌号' twice"):
        read_xlsx(data, "zhujian/fangwu/f.xlsx", sheet="房屋信息", header_row=2)


def _workbook(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_calamine_and_openpyxl_read_a_workbook_alike():
    import datetime as dt

    from ingest.readers.xlsx_reader import _read_xlsx_openpyxl

    def build(ws):
        ws.title = "登记"
        ws.append(["宜春市房屋登记表"])
        ws.append(["编号", "日期", "面积", "备注"])
        ws.append(["A001", dt.date(2026, 11, 21), 88.0, "  两室一厅 "])
        ws.append([None, None, None, None])
        ws.append(["A002", dt.datetime(2026, 11, 21, 9, 30), 101.5, True])

    data = _workbook(build)
    fast = read_xlsx(data, "f.xlsx", sheet=None, header_row=2)
    ref = _read_xlsx_openpyxl(data, "f.xlsx", fast.sha256, ["登记"], False, 2, 1)
    assert [(r.row_number, r.values) for r in fast.rows] == [(r.row_number, r.values) for r in ref.rows]
    assert fast.rows[0].values == {"编号": "A001", "日期": "2026-11-21", "面积": "88", "备注": "两室一厅"}
    assert fast.skipped == ref.skipped


def test_formula_cells_keep_their_text():
    """Calamine would give a formula's cached result, or nothing where a program wrote none: such a
    workbook is read by openpyxl, which keeps the formula as text."""
    def build(ws):
        ws.append(["编号", "合计"])
        ws.append(["A001", "=SUM(1,2)"])

    batch = read_xlsx(_workbook(build), "f.xlsx", sheet=None)
    assert batch.rows[0].values == {"编号": "A001", "合计": "=SUM(1,2)"}


def test_formatted_empty_rows_below_the_data_are_accounted_as_blank():
    import numpy as np

    from ingest.accounting import check_cover, xlsx_rows
    from ingest.readers.xlsx_reader import sheet_members

    def build(ws):
        ws.append(["编号", "名称"])
        ws.append(["A001", "一号楼"])
        ws["A6"].font = Font(bold=True)  # formatted, never filled: the sheet lists row 6, calamine stops at 2

    data = _workbook(build)
    batch = read_xlsx(data, "f.xlsx", sheet=None)
    rows = xlsx_rows(data, sheet_members(data))
    assert list(rows["Sheet"]) == [1, 2, 6]
    cover = check_cover(batch, {None: rows["Sheet"]})
    assert (cover.landed, cover.skipped) == (1, 2)
