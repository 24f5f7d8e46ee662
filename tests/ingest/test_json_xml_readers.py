import json

import pytest

from ingest.readers.json_reader import read_json, read_jsonl
from ingest.readers.xml_reader import read_xml
from ingest.records import LoadError


def test_json_document_with_records_path_keeps_nested_values_as_json():
    doc = {"data": {"items": [{"tyshxydm": "91360902MA35XXXX0X", "jyfw": ["餐饮", "零售"]}, {"tyshxydm": "B"}]}}
    b = read_json(json.dumps(doc, ensure_ascii=False).encode("utf-8"), "s.json", encoding=None, records_path="data.items")
    assert [r.row_number for r in b.rows] == [1, 2]
    assert json.loads(b.rows[0].values["jyfw"]) == ["餐饮", "零售"]
    assert b.header == ["tyshxydm", "jyfw"]


def test_json_errors_name_the_file():
    with pytest.raises(LoadError, match="s.json: not valid JSON"):
        read_json(b'[{"a": 1}', "s.json", encoding=None)
    with pytest.raises(LoadError, match="no records at 'data.items'"):
        read_json(b'{"data": {}}', "s.json", encoding=None, records_path="data.items")


def test_jsonl_quarantines_a_broken_line_and_keeps_the_rest():
    lines = ['{"id": "1", "title": "网络舆情"}', '{"id": "2", "title": "截断', '["not", "an object"]', '{"id": "3"}']
    b = read_jsonl(("\n".join(lines) + "\n").encode("utf-8"), "w.jsonl", encoding="utf-8")
    assert [r.values["id"] for r in b.rows] == ["1", "3"]
    assert [(x.row_number, "JSON" in x.reason) for x in b.bad_rows] == [(2, True), (3, True)]
    assert b.rows_read == 4


def test_xml_in_gbk_with_attributes_and_namespace():
    xml = ('<?xml version="1.0" encoding="GBK"?>\n<信访件列表 xmlns="urn:x">'
           '<信访件 编号="XF001"><信访人>张三</信访人><诉求>道路积水</诉求></信访件>'
           '<信访件 编号="XF002"><信访人>李四</信访人><诉求/></信访件></信访件列表>').encode("gbk")
    b = read_xml(xml, "x.xml", record_tag="信访件")
    assert [r.values for r in b.rows] == [
        {"@编号": "XF001", "信访人": "张三", "诉求": "道路积水"},
        {"@编号": "XF002", "信访人": "李四", "诉求": None},
    ]


def test_xml_malformed_and_entities_refused():
    with pytest.raises(LoadError, match="not well-formed"):
        read_xml(b"<a><b></a>", "x.xml", record_tag="b")
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>'
    with pytest.raises(LoadError, match="DTD"):
        read_xml(bomb, "x.xml", record_tag="a")


def test_undeclared_utf8_document_is_recognised_when_its_opening_splits_a_character():
    """The encoding is detected from the first 64 KB; a Chinese character cut by that edge must not make
    a UTF-8 document look like GBK."""
    import io

    from ingest.readers.json_reader import stream_json

    pad = "宜" * 30000  # 90,000 bytes of UTF-8
    doc = json.dumps({"rows": [{"编号a": "1", "内容": pad}]}, ensure_ascii=False).encode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        doc[:65536].decode("utf-8")  # the edge does split a character
    s = stream_json(io.BytesIO(doc), "big.json", encoding=None, records_path="rows")
    assert s.encoding == "utf-8"
    (block,) = list(s.blocks)
    assert block.columns["内容"].to_pylist() == [pad] and block.columns["编号a"].to_pylist() == ["1"]
