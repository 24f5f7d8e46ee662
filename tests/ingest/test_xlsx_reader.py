import io

import openpyxl
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
