"""A tiny lake shaped exactly as docs/architecture.md §2, written with pyarrow.

Every contract column under its target name as delivered text (null when empty), then the lineage columns.
The rows are chosen so each standardisation rule and each address variant is exercised once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from stdnum.cn import ric

from ingest.contracts import Contract


def id18(first17: str) -> str:
    """A valid 18-character 公民身份号码 for the given 17 digits."""
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum wants a placeholder check digit


def bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


# Persons: valid IDs, computed with python-stdnum (the reference the validity rule uses). People born
# before 2000 carry the address codes of 宜春地区 (3622xx), as real numbers do.
P1 = id18("36220119850312001")  # hukou, also registered as floating → one person, 户籍
P2_15 = "362201750815123"  # legacy 15-digit → 36220119750815123 + check
P2 = id18("36220119750815123")
P3 = id18("36220219900101002")  # sent full-width, lower-case x where it applies
P4_BAD = bad_check(id18("36220119800101003"))  # wrong check character → left out of dim_person
P5_BAD_DATE = id18("36220119990230004")  # Feb 30th: check character right, birth date not real
L2 = id18("36220219920505005")  # floating only
L3 = id18("36090220050101006")  # born 2005: 3609xx  # floating, address not in the house register


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


HOUSES_OLD = [  # an earlier workbook: must be ignored (file feeds keep the latest loaded file only)
    dict(house_id="H999", division_code="360902", street="旧街", door_number="1号", compound=None, building="1栋",
         unit=None, room="101室", usage="住宅", floor_area="50", owner_id_number=P1, owner_name="张三",
         is_rented="否", grid_code="G01", updated_at="2024-01-01"),
]
HOUSES = [
    dict(house_id="H001", division_code="360902", street="秀江东路", door_number="88号", compound="金域华府",
         building="3栋", unit="2单元", room="1201室", usage="住宅", floor_area="120.5", owner_id_number=P1,
         owner_name="张三", is_rented="否", grid_code="G01", updated_at="2025-06-01"),
    # An older version of H001 in the same workbook: dim_house keeps the latest one.
    dict(house_id="H001", division_code="360902", street="秀江东路", door_number="88号", compound="金域华府",
         building="3栋", unit="2单元", room="1201室", usage="商业", floor_area="120.5", owner_id_number=P1,
         owner_name="张三", is_rented="否", grid_code="G01", updated_at="2023-06-01"),
    dict(house_id="H002", division_code="360902", street="秀江东路", door_number="88号", compound="金域华府",
         building="3栋", unit=None, room="1202室", usage="住宅", floor_area="98", owner_id_number=P3,
         owner_name="王五", is_rented="是", grid_code="G01", updated_at="2025-06-02"),
    dict(house_id="H003", division_code="３６０９８１", street="新城大道", door_number="１２号", compound=None,
         building="5幢", unit="1单元", room="301", usage="住宅", floor_area="80", owner_id_number=P2,
         owner_name="李四", is_rented="是", grid_code="G02", updated_at="2025/06/03"),
]
HUKOU = [
    dict(id_number=P1, name="张三", sex="1", birth_date="19850312", ethnicity="汉族", phone="13907950001",
         household_id="HH01", relation_to_head="户主", address="江西省宜春市袁州区秀江东路88号金域华府3栋2单元1201室",
         division_code="360902", grid_code="G01", registered_date="20000101", updated_at="2025-06-01 08:00:00"),
    dict(id_number=P2_15, name="李四", sex="男", birth_date="1975-08-15", ethnicity="汉族", phone="+86 139-0795-0002",
         household_id="HH01", relation_to_head="子", address="袁州区秀江东路８８号3幢2单元1201",
         division_code="360902", grid_code="G01", registered_date="20000101", updated_at="2025-06-01 08:00:00"),
    dict(id_number=fullwidth(P3.lower()), name="王五", sex="2", birth_date="19900101", ethnicity="汉族",
         phone="１３９０７９５０００３", household_id="HH02", relation_to_head="户主",
         address="宜春市袁州区 秀江东路88号 金域华府 3号楼 1202室", division_code="360902", grid_code="G01",
         registered_date="20100101", updated_at="2025-06-01 08:00:00"),
    dict(id_number=P4_BAD, name="赵六", sex="1", birth_date="19800101", ethnicity="汉族", phone="12345",
         household_id="HH03", relation_to_head="户主", address="袁州区秀江东路88号3栋2单元1201室",
         division_code="360902", grid_code="G01", registered_date="20100101", updated_at="2025-06-01 08:00:00"),
    dict(id_number=P5_BAD_DATE, name="钱七", sex="2", birth_date="19990230", ethnicity="汉族", phone=None,
         household_id="HH04", relation_to_head="户主", address="袁州区秀江东路88号3栋2单元1201室",
         division_code="360902", grid_code="G01", registered_date="20100101", updated_at="2025-06-01 08:00:00"),
]
LIUDONG = [
    dict(registration_id="LD01", id_number=f" {P1} ", name="张三", sex="1", birth_date="1985-03-12",
         phone="13907950009", origin_address=None, address="宜春市袁州区秀江东路88号金域华府3栋2单元1201室",
         division_code="360902", stay_reason="务工", registered_date="2024-01-01", valid_until="2026-01-01",
         grid_code="G01", updated_at="2025-06-01 09:00:00"),
    dict(registration_id="LD02", id_number=L2, name="孙八", sex="女", birth_date="1992/05/05", phone="13907950005",
         origin_address="湖南省长沙市", address="丰城市新城大道12号5栋1单元301室", division_code="360981",
         stay_reason="务工", registered_date="2024-02-01", valid_until=None, grid_code="G02",
         updated_at="2025-06-01 09:00:00"),
    dict(registration_id="LD03", id_number=L3, name="周九", sex="1", birth_date="2005-01-01", phone=None,
         origin_address=None, address="秀江东路99号1栋101室", division_code="360902", stay_reason="经商",
         registered_date="2024-03-01", valid_until=None, grid_code="G01", updated_at="2025-06-01 09:00:00"),
]
HOTLINE_1 = [
    dict(work_order_id="W001", called_at="2025-06-01 10:00:00", caller_name="甲", caller_phone="13907950011",
         category="投诉", content="噪音", address="袁州区秀江东路88号", division_code="360902", handling_unit="城管局",
         dispatched_at=None, closed_at=None, status="已受理", satisfaction=None, updated_at="2025-06-01 10:00:00"),
    dict(work_order_id="W002", called_at="2025-06-01 11:00:00", caller_name="乙", caller_phone="13907950012",
         category="咨询", content="社保", address=None, division_code="360981", handling_unit="人社局",
         dispatched_at="2025-06-01 11:30:00", closed_at=None, status="已派单", satisfaction=None,
         updated_at="2025-06-01 11:30:00"),
]
HOTLINE_2 = [
    dict(work_order_id="W001", called_at="2025-06-01 10:00:00", caller_name="甲", caller_phone="13907950011",
         category="投诉", content="噪音", address="袁州区秀江东路88号", division_code="360902", handling_unit="城管局",
         dispatched_at="2025-06-01 10:30:00", closed_at="2025-06-02 09:00:00", status="已办结", satisfaction="满意",
         updated_at="2025-06-02 09:00:00"),
    dict(work_order_id="W003", called_at="2025-06-02 12:00:00", caller_name="丙", caller_phone=None,
         category="求助", content="路灯", address=None, division_code="360983", handling_unit="城管局",
         dispatched_at="2025-06-02 12:10:00", closed_at=None, status="办理中", satisfaction=None,
         updated_at="2025-06-02 12:10:00"),
]


def write_load(lake: Path, contract: Contract, rows: list[dict], load_date: str, load_id: str,
               loaded_at: datetime, source: str) -> Path:
    """Write one load as the ingest stage does: raw/<dept>/<feed>/load_date=…/<load_id>.parquet."""
    cols: dict[str, pa.Array] = {
        c.name: pa.array([r.get(c.name) for r in rows], pa.string()) for c in contract.columns
    }
    n = len(rows)
    first_row = 3 if contract.delivery.format == "xlsx" else 2
    cols |= {
        "_record_id": pa.array([f"{load_id}:{i + first_row}" for i in range(n)], pa.string()),
        "_source": pa.array([source] * n, pa.string()),
        "_row_number": pa.array([i + first_row for i in range(n)], pa.int64()),
        "_load_id": pa.array([load_id] * n, pa.string()),
        "_loaded_at": pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC")),
        "_file_sha256": pa.array([load_id.ljust(64, "0")] * n, pa.string()),
        "_extra": pa.array([None] * n, pa.string()),
    }
    out = lake / "raw" / contract.dept / contract.feed / f"load_date={load_date}" / f"{load_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(cols), out, compression="zstd")
    return out


def build_lake(lake: Path, contracts: dict[str, Contract], feeds: set[str] | None = None) -> Path:
    """Write the fixture lake; ``feeds`` limits it to some contract ids (others get no load at all)."""
    t = lambda d, h: datetime(2025, 6, d, h, tzinfo=UTC)  # noqa: E731
    loads = [
        ("zhujian.fangwu", HOUSES_OLD, "2025-06-01", "fangwu-20250601", t(1, 1), "zhujian/fangwu/fangwu_0601.xlsx"),
        ("zhujian.fangwu", HOUSES, "2025-06-08", "fangwu-20250608", t(8, 1), "zhujian/fangwu/fangwu_0608.xlsx"),
        ("gongan.hukou", HUKOU, "2025-06-02", "hukou-20250602", t(2, 2), "gongan/hukou/hukou_0602.csv"),
        ("gongan.liudong", LIUDONG, "2025-06-02", "liudong-20250602", t(2, 2), "gongan/liudong/liudong_0602.csv"),
        ("shuju.hotline", HOTLINE_1, "2025-06-01", "hotline-20250601T1200", t(1, 12), "http://127.0.0.1/api/v1/workorders?page=1"),
        ("shuju.hotline", HOTLINE_2, "2025-06-02", "hotline-20250602T1200", t(2, 12), "http://127.0.0.1/api/v1/workorders?page=1"),
    ]
    for cid, rows, load_date, load_id, loaded_at, source in loads:
        if feeds is None or cid in feeds:
            write_load(lake, contracts[cid], rows, load_date, load_id, loaded_at, source)
    return lake
