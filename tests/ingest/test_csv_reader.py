import pytest

from ingest.readers.csv_reader import read_csv
from ingest.records import LoadError

from .conftest import assert_every_line_covered, hukou_csv, person_row


def test_gbk_rows_keep_chinese_and_physical_line_numbers():
    data = hukou_csv([person_row(), person_row(name="李四")])
    b = read_csv(data, "gongan/hukou/a.csv", encoding="gbk")
    assert b.encoding == "gb18030"
    assert [r.row_number for r in b.rows] == [2, 3]
    assert b.rows[1].values["姓名"] == "李四"
    assert b.rows[0].values["户籍地址"].startswith("江西省宜春市袁州区")
    assert b.rows_read == 2 and not b.bad_rows


def test_truncated_last_line_is_quarantined_with_its_line_number():
    data = hukou_csv([person_row(), person_row()])[:-40]  # cut mid-row, like an interrupted export
    b = read_csv(data, "x.csv", encoding="gbk")
    assert len(b.rows) == 1
    (bad,) = b.bad_rows
    assert bad.row_number == 3 and "字段数" in bad.reason
    assert b.rows_read == 2
    assert_every_line_covered(b, data)


def test_undecodable_line_is_quarantined_not_the_file():
    good = hukou_csv([person_row()])
    broken_line = "\r\n".join([",".join(person_row(name="王五"))]).encode("gbk").replace("王".encode("gbk"), b"\xff\xff")
    b = read_csv(good + broken_line + b"\r\n", "x.csv", encoding="gbk")
    assert len(b.rows) == 1
    assert b.bad_rows[0].row_number == 3 and "解码" in b.bad_rows[0].reason
    assert_every_line_covered(b, good + broken_line + b"\r\n")


def test_utf8_bom_wins_over_declared_encoding():
    data = b"\xef\xbb\xbf" + hukou_csv([person_row()], encoding="utf-8")
    b = read_csv(data, "x.csv", encoding="gbk")
    assert b.encoding == "utf-8-sig"
    assert b.header[0] == "公民身份号码"
    assert b.rows[0].values["姓名"] == "张三"


def test_quoted_field_with_newline_and_formula_text_is_kept():
    header = "公民身份号码,姓名,备注"
    data = f'{header}\r\n1,"=HYPERLINK(""x"")","多行\r\n备注"\r\n2,b,c\r\n'.encode("gbk")
    b = read_csv(data, "x.csv", encoding="gbk")
    assert b.rows[0].values["姓名"] == '=HYPERLINK("x")'
    assert b.rows[0].values["备注"] == "多行\r\n备注"  # kept byte-faithful
    assert [r.row_number for r in b.rows] == [2, 4]
    assert_every_line_covered(b, data)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"\x00\x01\x02PK\x00binary" * 20, "not a text file"),
        ("公民身份号码;姓名;性别\r\n1;2;3\r\n".encode("gbk"), "wrong delimiter"),
    ],
)
def test_unreadable_files_fail_with_a_clear_message(data, message):
    with pytest.raises(LoadError, match=message):
        read_csv(data, "gongan/hukou/bad.csv", encoding="gbk")


def test_header_only_file_has_zero_rows():
    b = read_csv(hukou_csv([]), "x.csv", encoding="gbk")
    assert b.rows_read == 0 and b.header[0] == "公民身份号码"


def test_large_field_survives():
    big = "很" * 5_000_000  # 10 MB in GBK
    data = f"a,b\r\n1,{big}\r\n".encode("gbk")
    b = read_csv(data, "x.csv", encoding="gbk")
    assert len(b.rows[0].values["b"]) == 5_000_000


def test_utf8_file_declared_gbk_is_decoded_as_utf8_not_mojibake():
    data = hukou_csv([person_row(name="欧阳娜娜")], encoding="utf-8")
    b = read_csv(data, "x.csv", encoding="gbk")
    assert b.encoding == "utf-8" and b.rows[0].values["姓名"] == "欧阳娜娜"
    assert "declared gbk but the file is UTF-8" in b.notes[0]


def test_utf8_line_inside_a_gbk_file_is_decoded_as_utf8_and_noted():
    gbk = hukou_csv([person_row(), person_row(name="李四")])
    utf8_line = (",".join(person_row(name="赵六")) + "\r\n").encode("utf-8")
    b = read_csv(gbk + utf8_line, "x.csv", encoding="gbk")
    assert [r.values["姓名"] for r in b.rows] == ["张三", "李四", "赵六"]
    assert b.encoding == "gb18030" and "1 line(s) were UTF-8" in b.notes[0] and "lines 4" in b.notes[0]


def test_plain_gbk_is_never_mistaken_for_utf8():
    names = ["张三", "李四", "王小明", "欧阳娜娜", "司马光", "诸葛亮", "宜春市袁州区", "秀江东路", "金域华府"]
    b = read_csv(hukou_csv([person_row(name=n) for n in names]), "x.csv", encoding="gbk")
    assert [r.values["姓名"] for r in b.rows] == names and b.notes == []


def test_a_header_naming_a_column_twice_is_refused_not_overwritten():
    data = "公民身份号码,姓名,性别,姓名\r\n362201199001010011,张三,1,李四\r\n".encode("gbk")
    with pytest.raises(LoadError, match=r"names column '姓名' twice \(columns 2 and 4\).*表头列名重复"):
        read_csv(data, "gongan/hukou/dup.csv", encoding="gbk")
    # Unnamed spare columns may repeat (a trailing delimiter gives one).
    assert read_csv("a,b,,\r\n1,2,,\r\n".encode("gbk"), "x.csv", encoding="gbk").rows_read == 1
