"""Feed contracts: ODCS v3 YAML files under ``contracts/<dept>/<feed>.yaml``, read into typed objects.

A contract is the single declaration of a feed. Ingestion (delivery, source column names), dbt sources,
expectations (quality rules) and docs all read it from here; nothing restates a feed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

# ODCS quality dimensions → GB/T 36344-2018 data-quality dimensions (准确性 covers duplicates there).
GBT36344_DIMENSIONS: dict[str, str] = {
    "conformity": "规范性",
    "completeness": "完整性",
    "accuracy": "准确性",
    "uniqueness": "准确性",
    "consistency": "一致性",
    "timeliness": "时效性",
    "coverage": "完整性",
}

# Rules the validity engine implements; a contract naming any other rule is rejected.
KNOWN_RULES = frozenset(
    {
        "required",
        "unique",
        "gb11643_id",
        "gb2260_division",
        "mobile_phone",
        "date",
        "fresh",
        "in_set",
        "address_resolvable",
        "gb32100_uscc",
        "gbt28181_device_id",
        "stats_division_code",
        "realestate_unit_id",
        "disability_card_id",
        "vehicle_plate",
    }
)


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    """One validity rule on one column, e.g. ``gb11643_id`` on ``id_number``."""

    rule: str
    column: str
    name: str
    dimension: str
    severity: str = "error"
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def rule_id(self) -> str:
        """Stable id, unique within a contract: ``<column>:<rule>``."""
        return f"{self.column}:{self.rule}"

    @property
    def gbt36344(self) -> str:
        return GBT36344_DIMENSIONS.get(self.dimension, "准确性")

    @property
    def is_strong(self) -> bool:
        """Errors decide a record's validity; warnings are reported only."""
        return self.severity == "error"


@dataclass(frozen=True)
class Column:
    name: str  # target (warehouse) name
    source: str  # the department's own column / field name
    label: str  # Chinese label
    logical_type: str = "string"
    required: bool = False
    primary_key: bool = False
    grade: str = "一般"  # GB/T 43697: 核心 / 重要 / 一般
    pii: str | None = None  # id_number | name | phone | address
    rules: tuple[Rule, ...] = ()
    formats: tuple[str, ...] = ()  # strptime formats a date/timestamp column is sent in


@dataclass(frozen=True)
class Delivery:
    kind: str  # file | api | db
    format: str  # csv | xlsx | json | ...
    path: str | None = None  # glob relative to the landing root (files)
    encoding: str | None = None
    delimiter: str = ","
    sheet: str | None = None
    header_row: int = 1  # 1-based row holding the column names (xlsx title rows come before it)
    header_depth: int = 1  # rows the header spans, ending at header_row (merged group cells above)
    records_path: str | None = None  # JSON files: dotted path to the records array (default: the root)
    record_tag: str | None = None  # XML files: the element that is one record
    connection: str | None = None  # Airflow connection id (api/db)
    api_path: str | None = None
    page_size: int = 500
    records_field: str = "data.records"
    total_field: str | None = "data.total"  # where the API announces how many records match
    watermark_field: str | None = None
    mode: str = "full"  # full: each delivery is the whole register; delta: only what changed
    table: str | None = None  # db: the table or view to pull
    db_schema: str | None = None
    # Completeness of a file delivery (ingest.completeness): a marker file the department writes after the
    # data (".ok" → "<file>.ok"), seconds a file must sit unchanged, and for a full snapshot the smallest
    # share of the last accepted snapshot's records that is still plausible.
    done_marker: str | None = None
    settle_seconds: float = 0.0
    min_snapshot_ratio: float = 0.5
    max_record_lines: int = 100  # CSV: lines one quoted field may span before it counts as a runaway quote


@dataclass(frozen=True)
class Contract:
    id: str  # "<dept>.<feed>"
    title: str  # Chinese name of the feed
    department_name: str
    domain: str
    table_label: str
    grain: str
    delivery: Delivery
    columns: tuple[Column, ...]
    basic_dataset: str | None = None  # 实有人口 | 流动人口 | 实有房屋 for the ≥90% target
    validity_target: float | None = None
    gate: str = "weak"  # strong: below target blocks publication; weak: warns
    reverify_days: int | None = None
    schedule: str | None = None
    timezone: str = "Asia/Shanghai"
    status: str = "active"  # ODCS: proposed | draft | active | deprecated | retired
    path: Path | None = None

    @property
    def dept(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def feed(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)

    @property
    def source_names(self) -> dict[str, str]:
        """Department column name → target name."""
        return {c.source: c.name for c in self.columns}

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule of the feed, ``required`` ones synthesised from ``required: true``."""
        out: list[Rule] = []
        for c in self.columns:
            if c.required:
                out.append(Rule("required", c.name, f"{c.label}不能为空", "completeness", "error"))
            out.extend(c.rules)
        return tuple(out)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.id} has no column {name!r}")


def _props(items: list[dict] | None) -> dict[str, Any]:
    return {i["property"]: i["value"] for i in (items or [])}


def _rule(raw: dict, column: str, where: str) -> Rule:
    impl = raw.get("implementation")
    if isinstance(impl, str):
        impl = {"rule": impl}
    if not isinstance(impl, dict) or "rule" not in impl:
        raise ContractError(f"{where}: quality entry needs implementation: <rule> or {{rule: ...}}")
    args = {k: v for k, v in impl.items() if k != "rule"}
    if impl["rule"] not in KNOWN_RULES:
        raise ContractError(f"{where}: unknown rule {impl['rule']!r} (known: {', '.join(sorted(KNOWN_RULES))})")
    if raw.get("severity", "error") not in ("error", "warning"):
        raise ContractError(f"{where}: severity must be error or warning")
    return Rule(
        rule=impl["rule"],
        column=column,
        name=raw.get("name") or impl["rule"],
        dimension=raw.get("dimension", "accuracy"),
        severity=raw.get("severity", "error"),
        args=args,
    )


def parse_contract(data: dict, path: Path | None = None) -> Contract:
    """Build a :class:`Contract` from the parsed YAML of an ODCS v3 contract."""
    where = str(path) if path else data.get("id", "<contract>")
    try:
        cid = data["id"]
        (table,) = data["schema"]
        (server,) = data["servers"]
    except (KeyError, ValueError) as exc:
        raise ContractError(f"{where}: needs id, exactly one schema object and one server ({exc})") from exc
    if "." not in cid:
        raise ContractError(f"{where}: id must be <dept>.<feed>, got {cid!r}")
    if path is not None and f"{path.parent.name}.{path.stem}" != cid:
        raise ContractError(f"{where}: id {cid!r} does not match its path <dept>/<feed>.yaml")
    top = _props(data.get("customProperties"))
    sp = _props(server.get("customProperties"))
    sla = {p["property"]: p for p in data.get("slaProperties") or []}

    kind = {"local": "file", "sftp": "file", "s3": "file", "api": "api"}.get(server.get("type"), "db")
    delivery = Delivery(
        kind=kind,
        format=server.get("format") or sp.get("format") or ("table" if kind == "db" else "json"),
        path=server.get("path"),
        encoding=server.get("encoding"),
        delimiter=sp.get("delimiter", ","),
        sheet=sp.get("sheet"),
        header_row=int(sp.get("headerRow", 1)),
        header_depth=int(sp.get("headerDepth", 1)),
        records_path=sp.get("recordsPath"),
        record_tag=sp.get("recordTag"),
        connection=sp.get("connection"),
        api_path=sp.get("path"),
        page_size=int(sp.get("pageSize", 500)),
        records_field=sp.get("recordsField", "data.records"),
        total_field=sp.get("totalField", "data.total") or None,
        watermark_field=sp.get("watermarkField"),
        table=sp.get("table"),
        mode=top.get("deliveryMode") or ("full" if kind == "file" else "delta"),
        db_schema=server.get("schema"),
        done_marker=sp.get("doneMarker"),
        settle_seconds=float(sp.get("settleSeconds", 0)),
        min_snapshot_ratio=float(sp.get("minSnapshotRatio", 0.5)),
        max_record_lines=int(sp.get("maxRecordLines", 100)),
    )
    columns = []
    seen: set[str] = set()
    for p in table.get("properties") or []:
        name = p.get("name")
        if not name or name in seen:
            raise ContractError(f"{where}: every property needs a unique name (got {name!r})")
        seen.add(name)
        cp = _props(p.get("customProperties"))
        rules = tuple(_rule(q, name, f"{where}: {name}") for q in p.get("quality") or [])
        # ODCS holds one JDK format per column; departments send several, so the strptime formats
        # are declared once, on the column's date/fresh rule or as a `formats` custom property.
        formats: list[str] = list(cp.get("formats") or [])
        for r in rules:
            formats += [f for f in r.args.get("formats", []) if f not in formats]
        columns.append(
            Column(
                name=name,
                source=p.get("physicalName") or name,
                label=p.get("businessName") or name,
                logical_type=p.get("logicalType", "string"),
                required=bool(p.get("required")),
                primary_key=bool(p.get("primaryKey")),
                grade=p.get("classification", "一般"),
                pii=cp.get("pii"),
                rules=rules,
                formats=tuple(formats),
            )
        )
    if not columns:
        raise ContractError(f"{where}: schema has no properties")
    target = top.get("validityTarget")
    return Contract(
        id=cid,
        title=data.get("name", cid),
        department_name=top.get("departmentName", data.get("tenant", cid.split(".")[0])),
        domain=data.get("domain", ""),
        table_label=table.get("businessName") or data.get("name", cid),
        grain=table.get("dataGranularityDescription", ""),
        delivery=delivery,
        columns=tuple(columns),
        basic_dataset=top.get("basicDataset"),
        validity_target=float(target) if target is not None else None,
        gate=top.get("gate", "weak"),
        reverify_days=int(top["reverifyDays"]) if "reverifyDays" in top else None,
        schedule=(sla.get("frequency") or {}).get("schedule"),
        timezone=(sla.get("timezone") or {}).get("value", "Asia/Shanghai"),
        status=data.get("status", "active"),
        path=path,
    )


# libyaml's safe loader parses the 55 contracts in a tenth of the pure-Python one's time (each CLI call loads them).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_contract(path: Path) -> Contract:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML: {exc}") from exc
    return parse_contract(data, path)


def load_contracts(root: Path, include_inactive: bool = False) -> list[Contract]:
    """The active contracts under ``root`` (all of them with ``include_inactive``), sorted by id.

    A feed being onboarded is committed as ``status: draft``: checked like any other, but the pipeline,
    its DAGs and the warehouse take it up only once it is ``active``.
    """
    contracts = (load_contract(p) for p in sorted(root.glob("*/*.yaml")))
    return sorted((c for c in contracts if include_inactive or c.status == "active"), key=lambda c: c.id)


def check_contract_file(path: Path) -> list[str]:
    """Problems with one contract file: ODCS JSON-schema violations and CityLake's own invariants."""
    import jsonschema
    import open_data_contract_standard

    schema = json.loads(
        (Path(open_data_contract_standard.__file__).parent / "schema.json").read_text(encoding="utf-8")
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = [
        f"{path}: {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in jsonschema.Draft201909Validator(schema).iter_errors(data)
    ]
    try:
        c = parse_contract(data, path)
    except ContractError as exc:
        return problems + [str(exc)]
    if c.delivery.mode not in ("full", "delta"):
        problems.append(f"{path}: deliveryMode must be full or delta")
    if c.status not in ("proposed", "draft", "active", "deprecated", "retired"):
        problems.append(f"{path}: status {c.status!r} is not an ODCS status")
    if not c.primary_key:
        problems.append(f"{path}: no primaryKey column")
    if c.basic_dataset and c.validity_target is None:
        problems.append(f"{path}: basic dataset {c.basic_dataset} needs a validityTarget")
    if c.delivery.kind == "file" and not c.delivery.path:
        problems.append(f"{path}: file delivery needs a path glob")
    if c.delivery.kind == "file" and c.delivery.format == "xml" and not c.delivery.record_tag:
        problems.append(f"{path}: xml delivery needs a recordTag custom property")
    if c.delivery.kind == "db" and not (c.delivery.connection and c.delivery.table and c.delivery.watermark_field):
        problems.append(f"{path}: db delivery needs connection, table and watermarkField custom properties")
    if c.delivery.kind == "api" and not (c.delivery.connection and c.delivery.api_path):
        problems.append(f"{path}: api delivery needs connection and path custom properties")
    if any(r.rule == "fresh" for r in c.rules) and c.reverify_days is None:
        problems.append(f"{path}: a fresh rule needs reverifyDays")
    return problems
