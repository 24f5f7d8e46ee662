"""The streaming CSV reader gives the same records, lines and quarantine as the careful reader, whichever
path each block takes (blocks are made tiny here so one file crosses many)."""

import io

from ingest.readers.csv_reader import read_csv
from ingest.readers.csv_stream import stream_csv

from .conftest import city_rows, hukou_csv


def _streamed(data: bytes, block_bytes: int = 4096):
    s = stream_csv(io.BytesIO(data), "x.csv", encoding="gbk", block_bytes=block_bytes)
    rows, bad, fast = [], [], []
    for b in s.blocks:
        names = list(b.columns)
        values = [b.columns[h].to_pylist() for h in names]
        rows += [(int(f), int(l), dict(zip(names, v))) for f, l, *v in zip(b.first, b.last, *values)]
        bad += [(x.row_number, x.reason) for x in b.bad]
        fast.append(b.fast)
    return s, rows, bad, fast


def test_stream_equals_the_careful_reader_on_clean_and_damaged_blocks():
    rows = city_rows(400)
    rows[120][1] = '王"五'  # a stray quote: that block goes the careful way
    rows[300][8] = " 江西省宜春市 "  # trimmed like the careful reader does
    data = hukou_csv(rows)
    s, got, bad, fast = _streamed(data)
    ref = read_csv(data, "x.csv", encoding="gbk")
    assert s.header == ref.header and s.encoding == ref.encoding == "gb18030"
    assert [(r.row_number, r.span[1], r.values) for r in ref.rows] == got
    assert [(b.row_number, b.reason) for b in ref.bad_rows] == bad == [(122, bad[0][1])]
    assert any(fast[1:]) and not all(fast[1:])  # both paths were taken


def test_a_quoted_field_across_a_block_edge_stays_one_record():
    head = hukou_csv([])
    body = "".join(f'3609022001{i:08d},"姓\r\n名{i}",1,20010101,汉族,13812345678,H1,户主,地址,360902,G,2020-01-01,2026-11-01 10:00:00\r\n'
                   for i in range(200)).encode("gbk")
    s, got, bad, _ = _streamed(head + body, block_bytes=1000)
    assert not bad and len(got) == 200
    assert got[0][:2] == (2, 3) and got[-1][:2] == (400, 401) and got[5][2]["姓名"] == "姓\r\n名5"
