"""A hand-picked warehouse: staging tables shaped like dbt's for the four contracts, good rows and bad ones.

Each bad row breaks the rules listed in ``EXPECTED_FAILURES`` (record id → failed rule ids) and nothing else.
The as-of date of every record is ``LOAD_DATE``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from stdnum.cn import ric

from citylake.config import Settings
from ingest.contracts import Contract, load_contracts

ROOT = Path(__file__).resolve().parents[2]
LOAD_DATE = "2026-11-20"


def make_id(area: str, birth: str, seq: str = "001") -> str:
    """A GB 11643 number with the right check character (computed by stdnum)."""
    body = area + birth + seq
    return body + ric.calc_check_digit(body + "0")


def contracts() -> dict[str, Contract]:
    return {c.id: c for c in load_contracts(ROOT / "contracts")}


def _hukou() -> list[tuple[str, dict, bool]]:
    """(record id suffix, overrides, address resolved?) per row, in file order."""
    good = make_id("362201", "19900101", "001")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    full_width = make_id("362201", "19900101", "005").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [
        ("01", {"id_number": good}, True),
        ("02", {"id_number": make_id("362202", "19881231", "002")}, True),
        ("03", {"id_number": make_id("360902", "20050607", "003"), "birth_date": "2005-06-07"}, True),
        ("04", {"id_number": bad_check}, True),
        ("05", {"id_number": "362201900101001"}, True),  # legacy 15-digit number, as sent
        ("06", {"id_number": full_width}, True),
        ("07", {"id_number": make_id("360902", "20261125", "007"), "birth_date": "20261125"}, True),  # born after as-of
        ("08", {"id_number": make_id("362201", "19900101", "008"), "division_code": "360984"}, True),
        ("09", {"id_number": make_id("362201", "19900101", "009"), "updated_at": "2025-11-01 09:00:00"}, True),
        ("10", {"id_number": good}, True),  # duplicate of row 01, later in the file
        ("11", {"id_number": make_id("362201", "19900101", "011")}, False),  # resolver says not resolved
        ("12", {"id_number": make_id("362201", "19900101", "012")}, None),  # missing from the resolver table
        ("13", {"id_number": make_id("362201", "19900101", "013"), "phone": "1380013800"}, True),
        ("14", {"id_number": make_id("362201", "19900101", "014"), "name": "  "}, True),
        ("15", {"id_number": make_id("362201", "19900101", "015"), "registered_date": "2000-13-01"}, True),  # warning
        ("16", {"id_number": make_id("362201", "19900101", "016"), "sex": "3"}, True),
        ("17", {"id_number": make_id("362201", "19900101", "017"), "phone": None}, True),  # optional, empty: fine
        ("18", {"id_number": make_id("360902", "19900101", "018")}, True),  # 360902 not in force in 1990
        ("19", {"id_number": make_id("362201", "19900101", "019"), "updated_at": "2026-06-01"}, True),  # wrong format
    ]


HUKOU_DEFAULTS = {
    "name": "张三",
    "sex": "1",
    "birth_date": "19900101",
    "ethnicity": "汉族",
    "phone": "13800138000",
    "household_id": "360902000001",
    "relation_to_head": "户主",
    "address": "江西省宜春市袁州区秀江东路88号金域华府3栋2单元1201室",
    "division_code": "360902",
    "grid_code": "360902001001",
    "registered_date": "20000101",
    "updated_at": "2026-06-01 10:00:00",
}

LIUDONG_DEFAULTS = {
    "id_number": make_id("362201", "19950315", "021"),
    "name": "李四",
    "sex": "男",
    "birth_date": "1995/03/15",
    "phone": "+8613912345678",
    "origin_address": "湖南省长沙市",
    "address": "江西省宜春市袁州区宜阳大道1号1栋1单元101室",
    "division_code": "360902",
    "stay_reason": "务工",
    "registered_date": "2026-03-01",
    "valid_until": "2027-03-01",
    "grid_code": "360902001002",
    "updated_at": "2026-08-01 12:00:00",
}

FANGWU_DEFAULTS = {
    "division_code": "360981",
    "street": "剑光路",
    "door_number": "12",
    "compound": "剑邑小区",
    "building": "3",
    "unit": "1",
    "room": "502",
    "usage": "住宅",
    "floor_area": "89.5",
    "owner_id_number": make_id("362201", "19700520", "031"),
    "owner_name": "王五",
    "is_rented": "否",
    "grid_code": "360981001001",
    "updated_at": "2025-05-01",
}

HOTLINE_DEFAULTS = {
    "called_at": "2026-11-19 08:30:00",
    "caller_name": "赵六",
    "caller_phone": "13700001111",
    "category": "投诉",
    "content": "噪音扰民",
    "address": "宜春市袁州区",
    "division_code": "360902",
    "handling_unit": "袁州区城管局",
    "dispatched_at": "2026-11-19 09:00:00",
    "closed_at": None,
    "status": "已派单",
    "satisfaction": None,
    "updated_at": "2026-11-19 09:00:00",
}


def _rows(prefix: str, defaults: dict, pk: str | None, specs: list[tuple[str, dict, bool | None]]):
    out = []
    for n, (suffix, overrides, resolved) in enumerate(specs):
        row = dict(defaults)
        if pk:
            row[pk] = f"{prefix.upper()}{suffix}"
        row.update(overrides)
        out.append((f"{prefix}:{suffix}", n + 2, row, resolved))
    return out


def rows_by_contract() -> dict[str, list]:
    liudong = [
        ("01", {}, True),
        ("02", {"id_number": make_id("362201", "19951010", "022"), "birth_date": "1995-10-10"}, True),
        ("03", {"registration_id": "LIUDONG01"}, True),  # duplicate registration number
        ("04", {"registered_date": "2026-12-01"}, True),  # registered after the as-of date
        ("05", {"updated_at": "2026-05-01 00:00:00"}, True),  # 203 days: older than reverifyDays 180
    ]
    fangwu = [(f"{n:02d}", {"house_id": f"FW{n:02d}"}, True) for n in range(1, 10)] + [
        # check character X where the number needs another one
        ("10", {"house_id": "FW10", "owner_id_number": make_id("362201", "19700520", "032")[:-1] + "X", "usage": "仓库"}, True),
    ]
    hotline = [
        ("01", {}, None),
        ("02", {"category": "其它", "caller_phone": "0795-1234567"}, None),  # warnings only
        ("03", {"called_at": "2026/11/19 08:30"}, None),
    ]
    return {
        "gongan.hukou": _rows("hukou", HUKOU_DEFAULTS, None, _hukou()),
        "gongan.liudong": _rows("liudong", LIUDONG_DEFAULTS, "registration_id", liudong),
        "zhujian.fangwu": _rows("fangwu", FANGWU_DEFAULTS, None, fangwu),
        "shuju.hotline": _rows("hotline", HOTLINE_DEFAULTS, "work_order_id", hotline),
    }


# record id → rule ids it breaks (any severity); every other record breaks nothing.
EXPECTED_FAILURES = {
    "gongan.hukou": {
        "hukou:04": ["id_number:gb11643_id"],
        "hukou:05": ["id_number:gb11643_id"],
        "hukou:06": ["id_number:gb11643_id"],
        "hukou:07": ["id_number:gb11643_id", "birth_date:date"],
        "hukou:08": ["division_code:gb2260_division"],
        "hukou:09": ["updated_at:fresh"],
        "hukou:10": ["id_number:unique"],
        "hukou:11": ["address:address_resolvable"],
        "hukou:12": ["address:address_resolvable"],
        "hukou:13": ["phone:mobile_phone"],
        "hukou:14": ["name:required"],
        "hukou:15": ["registered_date:date"],
        "hukou:16": ["sex:in_set"],
        "hukou:18": ["id_number:gb11643_id"],
        "hukou:19": ["updated_at:fresh"],
    },
    "gongan.liudong": {
        "liudong:03": ["registration_id:unique"],
        "liudong:04": ["registered_date:date"],
        "liudong:05": ["updated_at:fresh"],
    },
    "zhujian.fangwu": {
        "fangwu:10": ["usage:in_set", "owner_id_number:gb11643_id"],
    },
    "shuju.hotline": {
        "hotline:02": ["caller_phone:mobile_phone", "category:in_set"],
        "hotline:03": ["called_at:date"],
    },
}


def build(db: Path, only: list[str] | None = None) -> None:
    """Write the staging tables (and int_addresses_resolved) into a fresh DuckDB file."""
    cs = contracts()
    con = duckdb.connect(str(db))
    con.execute("create schema if not exists staging; create schema if not exists intermediate")
    con.execute(
        "create table intermediate.int_addresses_resolved "
        "(record_id varchar, feed_id varchar, address_column varchar, address_key varchar, is_resolved boolean)"
    )
    for cid, rows in rows_by_contract().items():
        if only is not None and cid not in only:
            continue
        c = cs[cid]
        cols = [col.name for col in c.columns]
        table = f"staging.stg_{c.dept}__{c.feed}"
        con.execute(
            f"create table {table} (record_id varchar, source_file varchar, source_row_number bigint, "
            f"load_id varchar, loaded_at timestamp, load_date date, "
            + ", ".join(f'"{n}" varchar' for n in cols)
            + ")"
        )
        for rid, row_number, row, resolved in rows:
            con.execute(
                f"insert into {table} values (?, ?, ?, 'load1', '{LOAD_DATE} 03:00:00', '{LOAD_DATE}', "
                + ", ".join("?" for _ in cols)
                + ")",
                [rid, f"{c.dept}/{c.feed}/file1", row_number] + [row.get(n) for n in cols],
            )
            address = next((r.column for r in c.rules if r.rule == "address_resolvable"), None)
            if resolved is not None and address is not None:
                con.execute(
                    "insert into intermediate.int_addresses_resolved values (?, ?, ?, 'key', ?)",
                    [rid, cid, address, resolved],
                )
    con.close()


def settings_for(tmp: Path) -> Settings:
    return Settings(home=ROOT, data_dir=tmp / "data", warehouse=tmp / "citylake.duckdb", reports_dir=tmp / "out")

