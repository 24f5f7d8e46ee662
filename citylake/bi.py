"""The BI database: the published marts, with personal data masked or pseudonymised, for analysts' tools.

``publish_bi`` writes ``Settings.bi_db`` (``warehouse/bi.duckdb``) from the **published** warehouse:

- **Quality-passed.** The source is the published warehouse, never the build database: publication
  (:mod:`citylake.publish`) only ever puts gate-passed marts there, a held mart keeps its last good version
  (or is absent when none passed yet), and a failed publication leaves it untouched and erases its own
  ``quality.publications`` rows. So every mart read here passed its strong gates. A warehouse that was never
  published through write–audit–publish (no ``quality.publications``) is refused, and when the pipeline
  passes its ``run_id``, a run whose publication did not happen (no rows for it) is refused too: the BI
  database then keeps its previous version.
- **What is exposed.** Every mart declared under ``dbt_project/models/marts/`` that is in the published
  warehouse, except those in :data:`NOT_EXPOSED`; a mart the published warehouse lacks is simply absent and
  listed in the summary and in ``published``; a table in the published ``marts`` schema with no yml
  declaration is not exposed (nobody has said which of its columns are personal). Plus the validity tables
  analysts rank departments by (:data:`QUALITY_TABLES`: department names and counts, no personal data).
- **Masking.** Personal columns are declared once, beside the marts' descriptions, as column
  ``config: {meta: {pii: <rule>}}`` in the marts' yml (the vocabulary is :data:`RULES`). They are read from
  the yml files (:func:`pii_declarations`) rather than dbt's ``manifest.json``: the manifest under
  ``dbt_project/target`` belongs to the last build, which may be newer than what is published or missing in a
  fresh checkout, while the yml files are the declaration itself. Masking runs in DuckDB SQL (a city of
  millions is masked without a Python loop); the Python functions below are the reference the tests hold the
  SQL to.
- **Pseudonyms.** Each ID-number column gets a ``*_key`` column, HMAC-SHA256 of the upper-cased ID number
  with the key of :func:`citylake.config.bi_key` (environment, Airflow connection ``citylake_bi``, or a key
  generated under ``data/secrets/``; never the repository), first 16 hex digits: the same person has the same
  key in every table and every run under one key, so analysts join and count distinct persons, and without
  the key the ID cannot be recovered by hashing every plausible ID (which an unkeyed hash like the marts'
  ``residence_id`` allows: that one is replaced by its pseudonym too).
- **Atomic, non-blocking, standalone.** Tables (not views) with the Chinese comments of the warehouse are
  written into ``bi.publishing.duckdb`` beside the target, in DuckDB storage version 1.2 so that older DuckDB
  clients and BI drivers (the 1.5 CLI, JDBC) can open it; then checkpointed, closed, made read-only (0444) and
  renamed over ``bi.duckdb``. A reader with the old file open keeps reading it; the next connection sees the
  whole new one; a failure leaves the previous file untouched and no temporary file behind.
- **Leak guard.** Before the rename, every text and integer column is searched for anything shaped like a
  valid ID number (GB 11643 check digit) or a mobile number; one hit refuses the publication.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from citylake.config import Settings, bi_key


MASKING_VERSION = "1"  # bump when a rule's output changes: analysts compare it across publications
STORAGE_VERSION = "v1.2.0"  # DuckDB 1.2+ readers (the 1.5 CLI, JDBC drivers) open files written in it
MARTS_SCHEMA = "marts"
KEY_HEX_DIGITS = 16  # 64 bits: no collision to expect among a city's millions (≈1e-6 for 5M persons)

# The vocabulary of `meta: {pii: …}` on mart columns, and what each rule puts in bi.duckdb.
RULES: dict[str, str] = {
    "id_number": "保留前4位和后4位，其余以*代替；另附假名化键列",
    "phone": "保留前3位和后4位，其余以*代替",
    "name": "仅保留姓氏首字，其后为*",
    "address": "截断至街路巷（地址键保留区划代码和街路巷，文本地址保留首个数字之前的部分）",
    "birth_date": "仅保留出生年份",
    "pseudonym": "以假名化键代替（HMAC-SHA256）",
    "free_text": "删除",
    "drop": "删除",
}
DROPPED = {"free_text", "drop"}

# Marts analysts do not get, with the reason. None today: every mart is either free of personal data or
# masked column by column through its yml.
NOT_EXPOSED: dict[str, str] = {}

# The validity tables analysts need (红黑榜, validity by department): department and dataset names and counts
# only. The quality tables carry no comments in the warehouse, so their Chinese labels live here.
QUALITY_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "department_ranking": ("部门数据有效性红黑榜：每次校验运行每个部门一行", {
        "run_id": "校验运行标识", "run_at": "校验时间", "department": "部门", "records": "记录数",
        "valid_records": "有效记录数", "validity_ratio": "有效率", "validity_rank": "有效率排名",
        "previous_run_id": "上次校验运行标识", "previous_ratio": "上次有效率", "change": "有效率变化",
        "change_rank": "变化排名", "target": "目标有效率", "mark": "榜单（红榜/黑榜）",
    }),
    "validity_by_department": ("部门数据有效性：每次校验运行每个部门一行", {
        "run_id": "校验运行标识", "run_at": "校验时间", "department": "部门", "datasets": "数据集数",
        "records": "记录数", "valid_records": "有效记录数", "validity_ratio": "有效率",
        "basic_records": "基础数据记录数", "basic_valid_records": "基础数据有效记录数",
        "basic_validity_ratio": "基础数据有效率",
    }),
    "validity_runs": ("数据集有效性：每次校验运行每个数据集一行", {
        "run_id": "校验运行标识", "run_at": "校验时间", "contract_id": "数据集代码", "dataset": "数据集名称",
        "department": "部门", "records": "记录数", "valid_records": "有效记录数", "validity_ratio": "有效率",
        "target": "目标有效率", "passed": "是否达标", "gate": "门禁类型（strong 强/weak 弱）",
    }),
}


class BiPublishError(RuntimeError):
    """The BI database could not be published; the previous ``bi.duckdb`` is unchanged."""


# ---- the rules, in Python: the reference the SQL is tested against ----------------------------------------


def mask_id_number(value: str | None) -> str | None:
    """``360902199001011234`` → ``3609**********1234``: the province and city stay, the county, birth date
    and most of the sequence go. 15-digit IDs likewise (4 + 7 stars + 4); anything of 8 characters or
    fewer is starred whole."""
    if value is None:
        return None
    v = value.strip().upper()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_phone(value: str | None) -> str | None:
    """``13812341234`` → ``138****1234``; other lengths of 8 or more keep 3 + 4 likewise; shorter ones are
    starred whole."""
    if value is None:
        return None
    v = value.strip()
    if len(v) < 8:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(value: str | None) -> str | None:
    """``张三`` and ``张三丰`` → ``张*``: the first character (the surname, or the first of a compound one) and a
    single star, so the name's length is hidden too. A one-character name is starred whole."""
    if value is None:
        return None
    v = value.strip()
    if len(v) <= 1:
        return "*" * len(v)
    return v[0] + "*"


_FIRST_DIGIT = re.compile(r"^[^0-9０-９]*")


def truncate_address(value: str | None) -> str | None:
    """Street level (街路巷): an address key ``<division>|<street>|<door>|…`` keeps ``<division>|<street>``; a
    written address keeps what precedes its first digit (``…袁州区东风大街80号…`` → ``…袁州区东风大街``)."""
    if value is None:
        return None
    if "|" in value:
        return "|".join(value.split("|")[:2])
    return _FIRST_DIGIT.match(value).group(0) or None


def pseudonym(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of the trimmed, upper-cased value under ``key``, first 16 hex digits; None for nothing."""
    if value is None or not str(value).strip():
        return None
    return hmac.new(key, str(value).strip().upper().encode(), hashlib.sha256).hexdigest()[:KEY_HEX_DIGITS]


def key_id(key: bytes) -> str:
    """Names the key without revealing it, so analysts can tell whether two publications' pseudonyms compare."""
    return hmac.new(key, b"citylake-bi-key-id", hashlib.sha256).hexdigest()[:8]


def pseudonym_column(column: str) -> str:
    """The pseudonym column added beside a masked ID-number column: ``person_id`` → ``person_key``,
    ``owner_person_id`` → ``owner_person_key``, ``id_number`` → ``person_key``,
    ``legal_rep_id_number`` → ``legal_rep_person_key``."""
    if column == "id_number":
        return "person_key"
    if column.endswith("_id_number"):
        return column[: -len("_id_number")] + "_person_key"
    if column.endswith("_id"):
        return column[:-3] + "_key"
    return column + "_key"


def year_column(column: str) -> str:
    return column[: -len("_date")] + "_year" if column.endswith("_date") else column + "_year"


# ---- the rules, in SQL --------------------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _hmac_sql(expr: str, key: bytes) -> str:
    # HMAC from two SHA-256 calls (RFC 2104), DuckDB having sha256 but no hmac: H((K^opad) || H((K^ipad) || m)).
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in block).hex()
    opad = bytes(b ^ 0x5C for b in block).hex()
    v = f"upper(trim(cast({expr} as varchar)))"
    inner = f"sha256(unhex('{ipad}') || encode({v}))"
    return (f"case when {expr} is null or {v} = '' then null "
            f"else left(sha256(unhex('{opad}') || unhex({inner})), {KEY_HEX_DIGITS}) end")


def _mask_sql(expr: str, keep_head: int, keep_tail: int, upper: bool = False) -> str:
    v = f"upper(trim({expr}))" if upper else f"trim({expr})"
    keep = keep_head + keep_tail
    return (f"case when {expr} is null then null "
            f"when length({v}) <= {keep} then repeat('*', length({v})) "
            f"else left({v}, {keep_head}) || repeat('*', length({v}) - {keep}) || right({v}, {keep_tail}) end")


def _mask_phone_sql(expr: str) -> str:
    v = f"trim({expr})"
    return (f"case when {expr} is null then null when length({v}) < 8 then repeat('*', length({v})) "
            f"else left({v}, 3) || repeat('*', length({v}) - 7) || right({v}, 4) end")


def _mask_name_sql(expr: str) -> str:
    v = f"trim({expr})"
    return (f"case when {expr} is null then null when length({v}) <= 1 then repeat('*', length({v})) "
            f"else left({v}, 1) || '*' end")


def _address_sql(expr: str) -> str:
    return (f"case when {expr} is null then null "
            f"when contains({expr}, '|') then split_part({expr}, '|', 1) || '|' || split_part({expr}, '|', 2) "
            f"else nullif(regexp_extract({expr}, '^[^0-9０-９]*'), '') end")


@dataclass(frozen=True)
class OutColumn:
    name: str
    sql: str  # expression over the source table
    comment: str | None
    rule: str | None  # the pii rule applied, None when copied as is
    source_column: str


def column_plan(column: str, comment: str | None, rule: str | None, key: bytes) -> list[OutColumn]:
    """What one source column becomes in bi.duckdb under its pii rule: nothing, itself masked, or itself
    masked plus a pseudonym column."""
    src = _ident(column)
    label = comment or column
    note = RULES.get(rule or "")
    if rule is None:
        return [OutColumn(column, src, comment, None, column)]
    if rule not in RULES:
        raise ValueError(f"unknown pii rule {rule!r} on column {column} (known: {', '.join(RULES)})")
    if rule in DROPPED:
        return []
    if rule == "id_number":
        key_col = pseudonym_column(column)
        return [
            OutColumn(column, _mask_sql(src, 4, 4, upper=True), f"{label}（已脱敏：{note.split('；')[0]}；关联请用 {key_col}）",
                      rule, column),
            OutColumn(key_col, _hmac_sql(src, key),
                      f"{label}的假名化键（HMAC-SHA256，同一人在各表、各次发布中相同，用于关联和去重计数）",
                      "pseudonym", column),
        ]
    if rule == "pseudonym":
        return [OutColumn(column, _hmac_sql(src, key), f"{label}（假名化键：{note}）", rule, column)]
    if rule == "birth_date":
        name = year_column(column)
        return [OutColumn(name, f"cast(year({src}) as integer)", f"{label}（已泛化：{note}）", rule, column)]
    sql = {"phone": _mask_phone_sql, "name": _mask_name_sql, "address": _address_sql}[rule](src)
    return [OutColumn(column, sql, f"{label}（已脱敏：{note}）", rule, column)]


# ---- the declarations ----------------------------------------------------------------------------------------


def pii_declarations(models_dir: Path) -> dict[str, dict[str, str]]:
    """Every mart model declared in ``models_dir``'s yml files → {column: pii rule} of its personal columns
    (``config: {meta: {pii: …}}``, or dbt's older column-level ``meta``). A mart with none maps to {}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            rules: dict[str, str] = {}
            for col in model.get("columns") or []:
                meta = {**(col.get("meta") or {}), **((col.get("config") or {}).get("meta") or {})}
                rule = meta.get("pii")
                if rule is None:
                    continue
                if rule not in RULES:
                    raise ValueError(f"{path}: {model['name']}.{col['name']}: unknown pii rule {rule!r} "
                                     f"(known: {', '.join(RULES)})")
                rules[col["name"]] = rule
            out[model["name"]] = rules
    return out


# ---- the leak guard -------------------------------------------------------------------------------------------

_ID_SHAPE = r"[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
_MOBILE_SHAPE = r"1[3-9][0-9]{9}"
# Bounded by anything but ASCII letters and digits: a number inside text (电话13812341234) is found, while a
# run of digits inside a hex pseudonym or a device code is not a phone.
_GUARD = f"(^|[^0-9A-Za-z])({_ID_SHAPE}|{_MOBILE_SHAPE})([^0-9A-Za-z]|$)"
_ID_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z])({_ID_SHAPE})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z]){_MOBILE_SHAPE}(?![0-9A-Za-z])")


_SCANNED_TYPES = {"VARCHAR", "BIGINT", "UBIGINT", "HUGEINT", "UHUGEINT"}  # what can hold an 11–18 digit number


def leaks_in(values: Iterable[str]) -> list[str]:
    """The values that contain a valid 18-digit ID number (GB 11643 check digit) or a mobile number."""
    from stdnum.cn import ric

    found = []
    for v in values:
        if _MOBILE_IN_TEXT.search(v) or any(ric.is_valid(m.group(1)) for m in _ID_IN_TEXT.finditer(v)):
            found.append(v)
    return found


def _guard(con, catalog: str, tables: Iterable[str]) -> None:
    for table in tables:
        schema, name = table.split(".", 1)
        cols = [c for c, t in con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = ? and schema_name = ? "
            "and table_name = ?", [catalog, schema, name]).fetchall()
            if t in _SCANNED_TYPES]
        if not cols:
            continue
        texts = [f"cast({_ident(c)} as varchar)" for c in cols]
        union = " union all ".join(
            f"select {t} as v from {_ident(catalog)}.{_ident(schema)}.{_ident(name)} "
            f"where regexp_matches({t}, {_literal(_GUARD)})" for t in texts)
        candidates = [v for (v,) in con.execute(f"select distinct v from ({union}) limit 1000").fetchall()]
        hits = leaks_in(candidates)
        if hits:
            raise BiPublishError(f"{table}: {len(hits)} value(s) look like a raw ID or mobile number "
                                 f"(e.g. {mask_id_number(hits[0])}): declare the column's pii rule in its yml")


# ---- the publication -------------------------------------------------------------------------------------------


@dataclass
class Source:
    """What the published warehouse holds for the BI database."""

    warehouse_run_id: str
    held: list[dict] = field(default_factory=list)  # {mart, live_run_id}
    marts: list[str] = field(default_factory=list)  # exposed, in the warehouse
    absent: list[str] = field(default_factory=list)  # declared, not in the warehouse
    undeclared: list[str] = field(default_factory=list)  # in the warehouse, no yml: not exposed


def _read_source(con, run_id: str | None, declared: Mapping[str, Mapping[str, str]]) -> Source:
    tables = {(s, t) for s, t in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'src'").fetchall()}
    if ("quality", "publications") not in tables:
        raise BiPublishError("the warehouse has no quality.publications: it was never published through "
                             "write–audit–publish, so nothing in it is known to have passed its gates")
    latest = con.execute("select run_id from src.quality.publications "
                         "order by published_at desc, run_id desc limit 1").fetchone()
    if latest is None:
        raise BiPublishError("quality.publications is empty: no run was published yet")
    if run_id is not None and not con.execute(
            "select 1 from src.quality.publications where run_id = ? limit 1", [run_id]).fetchone():
        raise BiPublishError(f"run {run_id} did not publish the warehouse (its publication failed or never "
                             f"ran; the published warehouse is from run {latest[0]}): the BI database is kept")
    held = [{"mart": m, "live_run_id": r} for m, r in con.execute(
        "select mart, live_run_id from src.quality.publications where run_id = ? and action = 'held' order by mart",
        [latest[0]]).fetchall()]
    present = {t for s, t in tables if s == MARTS_SCHEMA}
    return Source(
        warehouse_run_id=latest[0],
        held=held,
        marts=sorted(m for m in declared if m in present and f"{MARTS_SCHEMA}.{m}" not in NOT_EXPOSED),
        absent=sorted(f"{MARTS_SCHEMA}.{m}" for m in declared if m not in present),
        undeclared=sorted(f"{MARTS_SCHEMA}.{m}" for m in present - set(declared)),
    )


def _copy_table(con, schema: str, table: str, columns: list[OutColumn], table_comment: str | None) -> None:
    target = f"out.{_ident(schema)}.{_ident(table)}"
    select = ", ".join(f"{c.sql} as {_ident(c.name)}" for c in columns)
    con.execute(f"create table {target} as select {select} from src.{_ident(schema)}.{_ident(table)}")
    if table_comment:
        con.execute(f"comment on table {target} is {_literal(table_comment)}")
    for c in columns:
        if c.comment:
            con.execute(f"comment on column {target}.{_ident(c.name)} is {_literal(c.comment)}")


def _source_columns(con, schema: str, table: str) -> tuple[str | None, list[tuple[str, str | None]]]:
    (comment,) = con.execute("select comment from duckdb_tables() where database_name = 'src' and schema_name = ? "
                             "and table_name = ?", [schema, table]).fetchone()
    cols = con.execute("select column_name, comment from duckdb_columns() where database_name = 'src' "
                       "and schema_name = ? and table_name = ? order by column_index", [schema, table]).fetchall()
    return comment, cols


# The metadata sits in the default schema ``main``: ``published`` and ``catalogue`` need no qualifier, and as
# ``bi.published`` they name the file's catalogue (a schema named ``bi`` would be ambiguous with it).
META_DDL = """
create table out.main.published (
    run_id varchar, published_at timestamp with time zone, source_warehouse varchar, warehouse_run_id varchar,
    tables varchar[], held_marts varchar[], absent_marts varchar[], masking_version varchar, pseudonym_key_id varchar
);
create table out.main.catalogue (
    table_name varchar, table_label varchar, column_index integer, column_name varchar, data_type varchar,
    label varchar, pii_rule varchar, source_column varchar
);
"""
META_COMMENTS = {
    "main.published": ("本库发布记录：每次发布一行", {
        "run_id": "发布运行标识", "published_at": "发布时间", "source_warehouse": "来源数仓文件",
        "warehouse_run_id": "来源数仓的发布运行标识", "tables": "本库包含的表",
        "held_marts": "因强门禁未达标暂缓发布的数据集市（保留上次发布版本或缺席）",
        "absent_marts": "来源数仓尚无、因而本库缺席的数据集市", "masking_version": "脱敏规则版本",
        "pseudonym_key_id": "假名化密钥标识（同一标识的发布之间假名化键可比）",
    }),
    "main.catalogue": ("数据目录：每表每列一行，含中文标签与脱敏规则", {
        "table_name": "表名（模式.表）", "table_label": "表说明", "column_index": "列序号", "column_name": "列名",
        "data_type": "数据类型", "label": "中文标签", "pii_rule": "个人信息处理规则（空 = 非个人信息，原样提供）",
        "source_column": "来源数仓列名",
    }),
}


def staging_path(bi_db: Path) -> Path:
    """Where the next version is written: beside the target, so the rename stays on one file system."""
    return bi_db.with_name(f"{bi_db.name.split('.', 1)[0]}.publishing.duckdb")


def build_bi(warehouse: Path, out_path: Path, declared: Mapping[str, Mapping[str, str]], key: bytes,
             run_id: str | None) -> tuple[Source, dict[str, int]]:
    """Write the BI database at ``out_path`` (which must not exist) from the published ``warehouse``."""
    import duckdb

    con = duckdb.connect()
    try:
        # Read-only: a shared lock, which neither readers nor the next publication's rename are blocked by.
        con.execute(f"attach {_literal(str(warehouse))} as src (read_only)")
        source = _read_source(con, run_id, declared)
        con.execute(f"attach {_literal(str(out_path))} as out (storage_version '{STORAGE_VERSION}')")
        con.execute(f"create schema out.{MARTS_SCHEMA}; create schema out.quality;")
        con.execute(META_DDL)
        rows: dict[str, int] = {}
        catalogue: list[tuple] = []
        plans: list[tuple[str, str, str | None, list[OutColumn]]] = []
        for mart in source.marts:
            comment, cols = _source_columns(con, MARTS_SCHEMA, mart)
            rules = declared[mart]
            unknown = set(rules) - {c for c, _ in cols}
            if unknown:
                raise BiPublishError(f"{MARTS_SCHEMA}.{mart}: pii declared for columns the published table "
                                     f"lacks: {', '.join(sorted(unknown))}")
            out = [o for c, cm in cols for o in column_plan(c, cm, rules.get(c), key)]
            if rules:
                comment = f"{comment or mart}（本库中个人信息已脱敏或假名化，规则见 catalogue 表）"
            plans.append((MARTS_SCHEMA, mart, comment, out))
        present_quality = {t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'src' and schema_name = 'quality'").fetchall()}
        for table, (label, labels) in QUALITY_TABLES.items():
            if table not in present_quality:
                continue
            _, cols = _source_columns(con, "quality", table)
            plans.append(("quality", table, label,
                          [OutColumn(c, _ident(c), cm or labels.get(c), None, c) for c, cm in cols]))
        for schema, table, comment, out in plans:
            _copy_table(con, schema, table, out, comment)
            types = dict(con.execute(
                "select column_name, data_type from duckdb_columns() where database_name = 'out' "
                "and schema_name = ? and table_name = ?", [schema, table]).fetchall())
            rows[f"{schema}.{table}"] = con.execute(
                f"select count(*) from out.{_ident(schema)}.{_ident(table)}").fetchone()[0]
            catalogue += [(f"{schema}.{table}", comment, i, o.name, types[o.name], o.comment, o.rule, o.source_column)
                          for i, o in enumerate(out)]
        _guard(con, "out", rows)
        con.executemany("insert into out.main.catalogue values (?, ?, ?, ?, ?, ?, ?, ?)", catalogue)
        con.execute(
            "insert into out.main.published values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id or f"manual__{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%S.%f}Z", datetime.now(timezone.utc),
             str(warehouse), source.warehouse_run_id, sorted(rows),
             [h["mart"] for h in source.held], source.absent, MASKING_VERSION, key_id(key)])
        for table, (label, labels) in META_COMMENTS.items():
            con.execute(f"comment on table out.{table} is {_literal(label)}")
            for col, text in labels.items():
                con.execute(f"comment on column out.{table}.{_ident(col)} is {_literal(text)}")
        con.execute("checkpoint out")
        con.execute("detach out")
    finally:
        con.close()
    return source, rows


def publish_bi(s: Settings, run_id: str | None = None) -> dict:
    """Publish ``s.bi_db`` from the published warehouse ``s.warehouse`` (see the module docstring for what
    "quality-passed" means here). ``run_id``: the pipeline run whose publication this follows (refused when
    that run published nothing); None for a manual run. Returns a JSON-serialisable summary."""
    started = time.perf_counter()
    if not s.warehouse.exists():
        raise BiPublishError(f"no published warehouse at {s.warehouse}: run the pipeline first")
    declared = pii_declarations(s.dbt_project_dir / "models" / MARTS_SCHEMA)
    key = bi_key(s)
    target = s.bi_db
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = staging_path(target)
    wal = Path(f"{staged}.wal")
    for leftover in (staged, wal):
        leftover.unlink(missing_ok=True)
    try:
        source, rows = build_bi(s.warehouse, staged, declared, key, run_id)
        os.chmod(staged, 0o444)  # read-only for analysts; the next rename replaces it (the folder is writable)
        os.replace(staged, target)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)  # the rename is durable only once the directory entry is on disk
        finally:
            os.close(fd)
    except Exception as exc:
        for leftover in (staged, wal):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, BiPublishError):
            raise
        raise BiPublishError(f"building {target} failed; the previous BI database is unchanged: {exc}") from exc
    summary = {
        "bi_db": str(target),
        "run_id": run_id,
        "warehouse_run_id": source.warehouse_run_id,
        "tables": rows,
        "held": source.held,
        "absent": source.absent,
        "undeclared": source.undeclared,
        "masking_version": MASKING_VERSION,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return summary


EXAMPLES = Path(__file__).with_name("bi_examples.sql")


def example_queries(path: Path = EXAMPLES) -> dict[str, str]:
    """The analysts' example queries (``-- name: <id>`` blocks of ``bi_examples.sql``) → their SQL, without
    comments or the closing semicolon: the one copy docs/bi.md shows and the tests run."""
    out: dict[str, str] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name:"):
            name = line.split(":", 1)[1].strip()
            out[name] = ""
        elif name and not line.startswith("--") and line.strip():
            out[name] += line + "\n"
    return {k: v.strip().rstrip(";").strip() for k, v in out.items()}


def summary_text(summary: Mapping) -> str:
    lines = [f"BI 数据库已发布 published {summary['bi_db']}: {len(summary['tables'])} 张表 tables "
             f"(source run {summary['warehouse_run_id']}, {summary['seconds']} s)"]
    for h in summary["held"]:
        kept = f"上次发布版本 run {h['live_run_id']}" if h["live_run_id"] else "缺席 absent"
        lines.append(f"暂缓发布 held back: {h['mart']} — {kept}")
    if summary["absent"]:
        lines.append(f"缺席 absent (not in the published warehouse): {', '.join(summary['absent'])}")
    if summary["undeclared"]:
        lines.append(f"未提供 not exposed (no yml declaration): {', '.join(summary['undeclared'])}")
    return "\n".join(lines)
