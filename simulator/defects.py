"""Named defect kinds, their rates per feed, and how they are drawn and applied.

Every kind says which validity rule (docs/architecture.md §4) it breaks, so the ground truth of a record
is the set ``<column>:<rule>`` of its defects. ``address_variant`` breaks none: the variants still parse
to the same address key. ``duplicate`` is applied by the feed writer (an exact copy of an earlier row,
appended later; the copy breaks ``<primary key>:unique``).

Rates are per delivered record (before duplicates are appended). Within a chunk (a grid) each kind hits
rate × n records, drawn at random among the records it can apply to (not, e.g., a 15-digit number for
someone born after 1984, or a column another kind already altered), so measured rates match the
configured ones closely even in a small city.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Callable

from simulator import address, idnumbers


@dataclass(frozen=True)
class DefectKind:
    name: str
    rule: str | None  # the rule it breaks (None: harmless variant)
    doc: str


KINDS: dict[str, DefectKind] = {k.name: k for k in (
    DefectKind("bad_check_digit", "gb11643_id", "ID number with a wrong check character"),
    DefectKind("legacy_15_digit", "gb11643_id", "first-generation 15-digit ID number of the same person"),
    DefectKind("fullwidth_digits", "gb11643_id", "ID number typed in full-width digits"),
    DefectKind("missing_required", "required", "a required field left empty"),
    DefectKind("bad_date", "date", "an unparseable or impossible date (19851345, 不详, a future date)"),
    DefectKind("bad_phone", "mobile_phone", "a malformed mobile number (10/12 digits, a landline)"),
    DefectKind("unresolvable_address", "address_resolvable", "a vague address or a room that does not exist"),
    DefectKind("address_variant", None, "the same room written differently (no 江西省, 幢/号楼, full-width digits…)"),
    DefectKind("stale", "fresh", "last update older than the re-verification cycle (reverifyDays + 30 days)"),
    DefectKind("bad_division", "gb2260_division", "a division code that is not a current Yichun code (360999, 362201)"),
    DefectKind("duplicate", "unique", "an exact copy of an earlier row appended later in the file"),
    # Person-based department feeds
    DefectKind("bad_card_check", "disability_card_id",
               "a 残疾人证号 whose ID part has a wrong check character (the card's category and grade intact)"),
    DefectKind("bad_unit_id", "realestate_unit_id",
               "a 不动产单元号 breaking GB/T 37346 (宗地顺序号 00000, a retired county, W with a unit, 27 characters)"),
    # World-based feeds (divisions, grids, organisations, cameras, events)
    DefectKind("bad_stats_code", "stats_division_code",
               "a 统计用区划代码 that is not 12 digits under a current Yichun county (11 digits, 362201…, a village "
               "code with no township)"),
    DefectKind("wrong_code", "in_set", "a coded column holding a value outside its code list"),
    DefectKind("bad_uscc", "gb32100_uscc",
               "a 统一社会信用代码 with a wrong check character, a character lost, a letter GB 32100 excludes"),
    DefectKind("bad_device_id", "gbt28181_device_id",
               "a GB/T 28181 device id mistyped or mis-assigned (19 digits, another city's centre, no such type)"),
    # Byte-level, applied by the file writer (line-based forms: CSV, JSON lines); the truth records them as
    # ``_record:encoding`` / ``_record:unparseable``, which no contract rule judges: the reader quarantines.
    DefectKind("mojibake", None, "one record's line written in the wrong encoding (UTF-8 bytes in a GBK file …)"),
    DefectKind("truncated_last_line", None,
               "the export cut off mid-record: the file's last line loses its second half (rate: per file)"),
    DefectKind("bad_plate", "vehicle_plate",
               "a number plate breaking GA 36 (a letter I or O, a province that does not exist, a digit lost)"),
)}


@dataclass(frozen=True)
class FeedDefects:
    """The defect kinds of one feed: rate per record, and the target columns each may hit."""

    rates: dict[str, float]
    columns: dict[str, tuple[str, ...]]

    def with_rates(self, rates: dict[str, float]) -> "FeedDefects":
        unknown = set(rates) - set(self.columns) - set(WRITER_KINDS)
        if unknown:
            raise ValueError(f"defect kinds {sorted(unknown)} do not apply to this feed")
        return FeedDefects({**self.rates, **rates}, self.columns)


# Defaults: hukou ≈93% valid, liudong ≈84% (below the 90% target on purpose), fangwu ≈95%.
DEFAULTS: dict[str, FeedDefects] = {
    "gongan.hukou": FeedDefects(
        rates={"bad_check_digit": 0.010, "legacy_15_digit": 0.008, "fullwidth_digits": 0.005,
               "missing_required": 0.010, "bad_date": 0.005, "bad_phone": 0.008, "unresolvable_address": 0.010,
               "address_variant": 0.150, "stale": 0.012, "duplicate": 0.005},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                 "fullwidth_digits": ("id_number",), "missing_required": ("name", "address"),
                 "bad_date": ("birth_date",), "bad_phone": ("phone",), "unresolvable_address": ("address",),
                 "address_variant": ("address",), "stale": ("updated_at",), "duplicate": ("id_number",)},
    ),
    "gongan.liudong": FeedDefects(
        rates={"bad_check_digit": 0.025, "legacy_15_digit": 0.010, "fullwidth_digits": 0.015,
               "missing_required": 0.020, "bad_date": 0.010, "bad_phone": 0.020, "unresolvable_address": 0.030,
               "address_variant": 0.250, "stale": 0.030, "duplicate": 0.010},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                 "fullwidth_digits": ("id_number",), "missing_required": ("name", "address"),
                 "bad_date": ("birth_date",), "bad_phone": ("phone",), "unresolvable_address": ("address",),
                 "address_variant": ("address",), "stale": ("updated_at",), "duplicate": ("registration_id",)},
    ),
    "zhujian.fangwu": FeedDefects(
        rates={"bad_check_digit": 0.012, "missing_required": 0.010, "stale": 0.015, "bad_division": 0.008,
               "duplicate": 0.006},
        columns={"bad_check_digit": ("owner_id_number",), "missing_required": ("room",), "stale": ("updated_at",),
                 "bad_division": ("division_code",), "duplicate": ("house_id",)},
    ),
    # 统计局 区划代码 (reference table, weak gate) ≈97% valid.
    "tongji.quhua": FeedDefects(
        rates={"bad_stats_code": 0.010, "wrong_code": 0.010, "missing_required": 0.005, "duplicate": 0.005},
        columns={"bad_stats_code": ("code",), "wrong_code": ("urban_rural_code",), "missing_required": ("name",),
                 "duplicate": ("code",)},
    ),
    # 公安 出租房屋 ≈92% valid (实有房屋, strong gate); 吸毒人员 ≈88%; 户籍变动 ≈96%.
    "gongan.chuzu": FeedDefects(
        rates={"bad_check_digit": 0.012, "legacy_15_digit": 0.008, "fullwidth_digits": 0.005,
               "missing_required": 0.008, "bad_date": 0.005, "bad_phone": 0.010, "unresolvable_address": 0.010,
               "address_variant": 0.150, "stale": 0.012, "bad_division": 0.005, "duplicate": 0.005},
        columns={"bad_check_digit": ("landlord_id_number",), "legacy_15_digit": ("landlord_id_number",),
                 "fullwidth_digits": ("landlord_id_number",), "missing_required": ("landlord_name", "house_address"),
                 "bad_date": ("lease_start",), "bad_phone": ("landlord_phone",),
                 "unresolvable_address": ("house_address",), "address_variant": ("house_address",),
                 "stale": ("updated_at",), "bad_division": ("division_code",), "duplicate": ("rental_id",)},
    ),
    "gongan.xidu": FeedDefects(
        rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.010, "missing_required": 0.010, "bad_date": 0.010,
               "bad_phone": 0.020, "unresolvable_address": 0.020, "address_variant": 0.200, "stale": 0.040,
               "duplicate": 0.005},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                 "missing_required": ("name", "address"), "bad_date": ("first_found",), "bad_phone": ("phone",),
                 "unresolvable_address": ("address",), "address_variant": ("address",), "stale": ("visited_at",),
                 "duplicate": ("control_id",)},
    ),
    "gongan.hukou_biandong": FeedDefects(
        rates={"bad_check_digit": 0.010, "legacy_15_digit": 0.005, "missing_required": 0.008, "bad_date": 0.005,
               "bad_division": 0.005, "duplicate": 0.005},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",), "missing_required": ("name",),
                 "bad_date": ("change_date",), "bad_division": ("division_code",), "duplicate": ("transaction_id",)},
    ),
    # 政法委 网格 ≈96% valid; 网格员 ≈92% (a basic dataset near its target).
    "zhengfawei.wangge": FeedDefects(
        rates={"bad_stats_code": 0.010, "bad_division": 0.010, "wrong_code": 0.010, "missing_required": 0.010},
        columns={"bad_stats_code": ("village_code",), "bad_division": ("division_code",),
                 "wrong_code": ("grid_type",), "missing_required": ("grid_name",)},
    ),
    "zhengfawei.wanggeyuan": FeedDefects(
        rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.010, "fullwidth_digits": 0.010, "bad_phone": 0.015,
               "bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.010},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                 "fullwidth_digits": ("id_number",), "bad_phone": ("phone",), "bad_date": ("appointed_date",),
                 "wrong_code": ("sex",), "missing_required": ("name", "phone")},
    ),
    # 司法 刑满释放人员 ≈89% valid.
    "sifa.xingman": FeedDefects(
        rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.010, "missing_required": 0.010, "bad_date": 0.010,
               "unresolvable_address": 0.020, "address_variant": 0.200, "stale": 0.040, "duplicate": 0.005},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                 "missing_required": ("name", "address"), "bad_date": ("released_date",),
                 "unresolvable_address": ("address",), "address_variant": ("address",), "stale": ("updated_at",),
                 "duplicate": ("assist_id",)},
    ),
    # 民政 低保/特困 ≈88% valid.
    "minzheng.dibao": FeedDefects(
        rates={"bad_check_digit": 0.020, "legacy_15_digit": 0.015, "fullwidth_digits": 0.010,
               "missing_required": 0.010, "bad_date": 0.010, "bad_phone": 0.010, "unresolvable_address": 0.020,
               "address_variant": 0.200, "stale": 0.030, "duplicate": 0.008},
        columns={"bad_check_digit": ("id_number",), "legacy_15_digit": ("id_number",),
                 "fullwidth_digits": ("id_number",), "missing_required": ("name",), "bad_date": ("approved_date",),
                 "bad_phone": ("phone",), "unresolvable_address": ("address",), "address_variant": ("address",),
                 "stale": ("reviewed_date",), "duplicate": ("member_id",)},
    ),
    # 民政 婚姻登记 ≈95% valid.
    "minzheng.hunyin": FeedDefects(
        rates={"bad_check_digit": 0.015, "legacy_15_digit": 0.005, "missing_required": 0.008, "bad_date": 0.008,
               "bad_division": 0.008, "duplicate": 0.005},
        columns={"bad_check_digit": ("male_id_number", "female_id_number"),
                 "legacy_15_digit": ("male_id_number", "female_id_number"),
                 "missing_required": ("male_name", "female_name"), "bad_date": ("registered_date",),
                 "bad_division": ("division_code",), "duplicate": ("certificate_id",)},
    ),
    # 雪亮工程 点位目录 ≈95% valid.
    "xueliang.shexiangtou": FeedDefects(
        rates={"bad_device_id": 0.015, "bad_division": 0.010, "wrong_code": 0.010, "bad_date": 0.010,
               "missing_required": 0.005, "duplicate": 0.005},
        columns={"bad_device_id": ("device_id",), "bad_division": ("civil_code",), "wrong_code": ("resource_class",),
                 "bad_date": ("install_date",), "missing_required": ("name",), "duplicate": ("device_id",)},
    ),
    # 雪亮工程 在线状态 / 抓拍统计 (API) ≈98% valid.
    "xueliang.zaixian": FeedDefects(
        rates={"bad_device_id": 0.010, "wrong_code": 0.010},
        columns={"bad_device_id": ("device_id",), "wrong_code": ("is_online",)},
    ),
    "xueliang.zhuapai": FeedDefects(
        rates={"bad_device_id": 0.010, "bad_date": 0.005},
        columns={"bad_device_id": ("device_id",), "bad_date": ("stat_hour",)},
    ),
    # 市场监管 企业 ≈95% valid; 个体工商户 ≈88% (below the 90% target: sole traders' records are the weakest).
    "shichang.qiye": FeedDefects(
        rates={"bad_uscc": 0.015, "bad_division": 0.010, "bad_date": 0.010, "missing_required": 0.010,
               "wrong_code": 0.010, "bad_check_digit": 0.020, "duplicate": 0.005},
        columns={"bad_uscc": ("uscc",), "bad_division": ("division_code",), "bad_date": ("established_date",),
                 "missing_required": ("legal_rep",), "wrong_code": ("entity_type",),
                 "bad_check_digit": ("legal_rep_id_number",), "duplicate": ("uscc",)},
    ),
    "shichang.getihu": FeedDefects(
        rates={"bad_uscc": 0.020, "bad_check_digit": 0.020, "legacy_15_digit": 0.010, "missing_required": 0.020,
               "wrong_code": 0.010, "bad_phone": 0.020, "bad_division": 0.010, "duplicate": 0.010},
        columns={"bad_uscc": ("uscc",), "bad_check_digit": ("operator_id_number",),
                 "legacy_15_digit": ("operator_id_number",), "missing_required": ("operator_name", "premises"),
                 "wrong_code": ("form",), "bad_phone": ("phone",), "bad_division": ("division_code",),
                 "duplicate": ("uscc",)},
    ),
    # 公安 110 警情 ≈97% valid (errors: time, category, a missing required field; phone and division: warnings).
    "gongan.jingqing": FeedDefects(
        rates={"bad_date": 0.010, "wrong_code": 0.010, "missing_required": 0.005, "bad_phone": 0.030,
               "bad_division": 0.010},
        columns={"bad_date": ("received_at",), "wrong_code": ("category",), "missing_required": ("updated_at",),
                 "bad_phone": ("caller_phone",), "bad_division": ("division_code",)},
    ),
    # 残联 持证残疾人 ≈93% valid.
    "canlian.canji": FeedDefects(
        rates={"bad_card_check": 0.010, "bad_check_digit": 0.010, "legacy_15_digit": 0.005,
               "missing_required": 0.008, "bad_date": 0.008, "bad_phone": 0.010, "unresolvable_address": 0.015,
               "address_variant": 0.150, "bad_division": 0.008, "duplicate": 0.008},
        columns={"bad_card_check": ("card_id",), "bad_check_digit": ("id_number",),
                 "legacy_15_digit": ("id_number",), "missing_required": ("name",), "bad_date": ("issued_date",),
                 "bad_phone": ("phone",), "unresolvable_address": ("address",), "address_variant": ("address",),
                 "bad_division": ("division_code",), "duplicate": ("card_id",)},
    ),
    # 自然资源 不动产登记 ≈91% valid (实有房屋, strong gate).
    "ziranziyuan.budongchan": FeedDefects(
        rates={"bad_unit_id": 0.010, "bad_check_digit": 0.012, "legacy_15_digit": 0.008, "fullwidth_digits": 0.005,
               "missing_required": 0.008, "bad_date": 0.008, "unresolvable_address": 0.010,
               "address_variant": 0.100, "stale": 0.010, "bad_division": 0.006, "duplicate": 0.006},
        columns={"bad_unit_id": ("unit_id",), "bad_check_digit": ("owner_id_number",),
                 "legacy_15_digit": ("owner_id_number",), "fullwidth_digits": ("owner_id_number",),
                 "missing_required": ("owner_name",), "bad_date": ("registered_date",),
                 "unresolvable_address": ("location",), "address_variant": ("location",), "stale": ("updated_at",),
                 "bad_division": ("division_code",), "duplicate": ("unit_id",)},
    ),
    # 网信 网络舆情 ≈96% valid.
    "wangxin.yuqing": FeedDefects(
        rates={"bad_date": 0.015, "wrong_code": 0.015, "missing_required": 0.010, "bad_division": 0.010},
        columns={"bad_date": ("published_at",), "wrong_code": ("platform",), "missing_required": ("title",),
                 "bad_division": ("division_code",)},
    ),
    # 共青团 重点青少年 ≈92% valid.
    "tuanwei.zhongdian_qingshaonian": FeedDefects(
        rates={"bad_check_digit": 0.015, "fullwidth_digits": 0.010, "missing_required": 0.010,
               "bad_phone": 0.020, "unresolvable_address": 0.020, "address_variant": 0.200, "stale": 0.030,
               "bad_division": 0.008, "duplicate": 0.005},
        columns={"bad_check_digit": ("id_number",), "fullwidth_digits": ("id_number",), "missing_required": ("name",),
                 "bad_phone": ("guardian_phone",), "unresolvable_address": ("address",),
                 "address_variant": ("address",), "stale": ("updated_at",), "bad_division": ("division_code",),
                 "duplicate": ("youth_id",)},
    ),
    "shuju.hotline": FeedDefects(
        rates={"bad_phone": 0.02},
        columns={"bad_phone": ("caller_phone",)},
    ),
}

# Kinds the file writer applies (not drawn by :func:`plan`): any line-based feed may take them, no columns.
WRITER_KINDS = ("mojibake", "truncated_last_line")

# Order in which kinds are drawn (ID kinds first: they share one column).
ORDER = ("bad_check_digit", "legacy_15_digit", "fullwidth_digits", "bad_division", "missing_required",
         "bad_date", "bad_phone", "unresolvable_address", "address_variant", "stale", "bad_stats_code", "wrong_code",
         "bad_device_id", "bad_uscc")
ORDER += ("bad_card_check", "bad_unit_id", "bad_plate")  # ID-based card and unit numbers: columns of their own


def default_config() -> dict[str, FeedDefects]:
    """Every feed's default rates: ``DEFAULTS`` plus those a feed declares on its ``FeedSpec(defects=…)``."""
    from simulator.feeds import all_specs  # the feed modules import this one

    cfg = dict(DEFAULTS)
    for spec in all_specs():
        if spec.defects is None:
            continue
        if spec.contract_id in cfg:
            raise ValueError(f"{spec.contract_id}: default rates declared twice (DEFAULTS and its FeedSpec)")
        cfg[spec.contract_id] = spec.defects
    return cfg


def config_with_rates(overrides: dict[str, dict[str, float]] | None) -> dict[str, FeedDefects]:
    """Defaults with some rates replaced: ``{"gongan.liudong": {"stale": 0.1}}``."""
    cfg = default_config()
    for feed, rates in (overrides or {}).items():
        cfg[feed] = cfg[feed].with_rates(rates)
    return cfg


@dataclass
class Record:
    """One delivered record while it is built: values by target column, and what was done to it."""

    values: dict[str, str]
    entity_key: str
    context: Any  # the Person or House it describes
    defects: list[str] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    planned: list[tuple[str, str]] = field(default_factory=list)  # (kind, column)


def rule_id(kind: str, column: str) -> str | None:
    rule = KINDS[kind].rule
    return None if rule is None else f"{column}:{rule}"


Eligible = Callable[[str, str, Record], bool]  # (kind, column, record) → can this kind hit it?


def plan(records: list[Record], feed: FeedDefects, rng: random.Random, eligible: Eligible) -> None:
    """Pick the records each kind (except duplicate) hits in this chunk; at most one kind per column."""

    def free(rec: Record, kind: str) -> list[str]:
        return [c for c in feed.columns[kind] if c not in rec.touched and eligible(kind, c, rec)]

    def mark(rec: Record, kind: str, cols: list[str]) -> None:
        col = cols[0] if len(cols) == 1 else rng.choice(cols)
        rec.touched.add(col)
        rec.planned.append((kind, col))

    for kind in ORDER:
        rate = feed.rates.get(kind, 0.0)
        if rate <= 0:
            continue
        # Stratified: rate × n records per chunk (rounded at random), so a small city's ratios stay close
        # to the configured rates instead of wandering with binomial noise.
        expected = rate * len(records)
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        pool = [r for r in records if free(r, kind)]
        for rec in rng.sample(pool, min(count, len(pool))):
            mark(rec, kind, free(rec, kind))


# ---- mutations ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedEnv:
    """What a mutation needs to know about the feed: the as-of date, cycle and the formats it writes."""

    as_of: dt.date
    reverify_days: int | None
    date_format: str  # how this feed writes dates
    timestamp_format: str = "%Y-%m-%d %H:%M:%S"


def bad_id(kind: str, id18: str, rng: random.Random) -> str:
    if kind == "bad_check_digit":
        return idnumbers.with_bad_check(id18, rng)
    if kind == "legacy_15_digit":
        return idnumbers.to_legacy_15(id18)
    if kind == "fullwidth_digits":
        return idnumbers.to_fullwidth(id18)
    raise ValueError(kind)


def bad_date(true_date: dt.date, env: FeedEnv, rng: random.Random) -> str:
    y = true_date.year
    sep = "-" if "-" in env.date_format else ""
    return rng.choice((
        f"{y}{sep}13{sep}45",
        f"{y}{sep}02{sep}30",
        f"{y}{sep}{true_date.month:02d}{sep}32",
        "不详",
        f"{y}年{true_date.month}月",
        (env.as_of + dt.timedelta(days=rng.randint(30, 3000))).strftime(env.date_format),  # in the future
    ))


def bad_phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**9):09d}"
    return rng.choice((
        "13" + digits[:8],  # 10 digits
        "15" + digits + "7",  # 12 digits
        f"0795-{digits[:7]}",  # Yichun landline
        "12" + digits,  # no such mobile prefix
    ))


def healthy_timestamp(env: FeedEnv, rng: random.Random, margin_days: int = 30) -> dt.datetime:
    """A last-update time well inside the re-verification cycle (and before the as-of date)."""
    cycle = (env.reverify_days or 365) - margin_days
    day = env.as_of - dt.timedelta(days=rng.randint(1, max(1, cycle)))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(8 * 3600, 20 * 3600))


def stale_timestamp(env: FeedEnv, rng: random.Random, margin_days: int = 30) -> dt.datetime:
    """A last-update time older than the re-verification cycle plus a margin."""
    day = env.as_of - dt.timedelta(days=(env.reverify_days or 365) + margin_days + rng.randint(1, 900))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(8 * 3600, 20 * 3600))


def bad_division(rng: random.Random) -> str:
    return rng.choice(("360999", "362201", "36090"))


def unresolvable_address(house, rng: random.Random) -> str:
    return address.unresolvable(house, rng)


def address_variant(house, rng: random.Random) -> str:
    return address.variant(house, rng)[1]
