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


def assert_every_line_covered(batch, data: bytes) -> None:
    """Landed + quarantined + skipped physical lines = the lines of the delivery, counted from its bytes."""
    import numpy as np

    from ingest.accounting import check_cover, count_lines

    n = count_lines(data)
    cover = check_cover(batch, {None: np.arange(1, n + 1)})
    assert cover.landed + cover.quarantined + cover.skipped == cover.physical == n


def city_rows(n: int) -> list[list[str]]:
    """``n`` distinct residents in the hukou layout (ids need not be valid: ingestion does not judge)."""
    surnames = "张王李赵刘陈杨黄周吴"
    return [person_row(id_number=f"3609022001{i:08d}", name=surnames[i % 10] + "小" + "明红军华"[i % 4],
                       address=f"江西省宜春市袁州区秀江东路{i}号") for i in range(n)]


def drop_hukou(tmp_path, name: str, data: bytes):
    """Deliver ``data`` as the 户籍 file ``name``; returns (landing, lake) folders."""
    d = tmp_path / "landing/gongan/hukou"
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    return tmp_path / "landing", tmp_path / "lake"
