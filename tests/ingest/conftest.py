from pathlib import Path

import pytest

from ingest.contracts import load_contract

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hukou():
    return load_contract(ROOT / "contracts/gongan/hukou.yaml")


@pytest.fixture
def fangwu():
    return load_contract(ROOT / "contracts/zhujian/fangwu.yaml")


@pytest.fixture
def hotline():
    return load_contract(ROOT / "contracts/shuju/hotline.yaml")


def hukou_csv(rows: list[list[str]], header: list[str] | None = None, encoding: str = "gbk") -> bytes:
    from ingest.contracts import load_contract

    c = load_contract(ROOT / "contracts/gongan/hukou.yaml")
    header = header or [col.source for col in c.columns]
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def person_row(id_number="360902200101011238", name="张三", address="江西省宜春市袁州区秀江东路88号金域华府3栋2单元1201室"):
    return [id_number, name, "1", "20010101", "汉族", "13812345678", "H0001", "户主", address, "360902",
            "360902001001001", "2020-01-01", "2026-11-01 10:00:00"]
