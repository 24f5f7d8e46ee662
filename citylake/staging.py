"""Staging models generated from the contracts: one ``stg_<dept>__<feed>`` per active feed.

A contract already says everything staging needs: the columns as sent, their types, the strptime formats
they come in and the rules that tell what a value stands for (an ID number, a credit code, a division code,
an address). ``column_standard`` maps that to one standard form per column; the dbt macro
``standard_columns`` (dbt_project/macros/staging.sql) turns the forms into ``std_<column>`` expressions, and
this module writes the thin model and its yml beside it. Nothing about a feed is restated by hand.

A hand-written staging model (one without the generated header) is left alone: the first four feeds keep
theirs, with their unit tests. ``citylake contracts dbt-staging`` regenerates; a test keeps the committed
files in sync with the contracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ingest.contracts import Column, Contract

STAGING_DIR = Path("models") / "staging"
GENERATED_MARK = "Generated from contracts/"

# Rule → the standard form of the column's value. Order matters only for columns with several rules.
_BY_RULE = {
    "gb11643_id": "id_number",
    "gb32100_uscc": "uscc",
    "gbt28181_device_id": "device_id",
    "mobile_phone": "phone",
    "gb2260_division": "division_code",
    "stats_division_code": "stats_code",
    "vehicle_plate": "plate",
}
_BY_TYPE = {"date": "date", "timestamp": "timestamp", "integer": "number", "number": "number"}
_SEX_VALUES = {"男", "女", "1", "2", "9", "男性", "女性", "未说明"}

# What each standard form is, for the generated yml (Chinese label first, then the form).
FORM_DOC = {
    "id_number": "18 half-width characters, upper-case X, 15-digit numbers upgraded; null when it cannot be made valid",
    "uscc": "18 characters, upper-case, half-width; null unless 18 characters of the GB 32100 alphabet",
    "device_id": "20 half-width digits; null otherwise",
    "phone": "11-digit mobile number; null otherwise",
    "division_code": "6 half-width digits; null otherwise",
    "stats_code": "12 half-width digits; null otherwise",
    "plate": "upper-case, half-width, no spaces",
    "date": "date, parsed with the contract's formats",
    "timestamp": "timestamp (local time as sent), parsed with the contract's formats",
    "number": "number (double)",
    "sex": "男/女",
}


@dataclass(frozen=True)
class StagingModel:
    name: str
    sql: str
    yml: str


def column_standard(column: "Column") -> str | None:
    """The standard form a staging model derives from this column, or None (kept as sent only)."""
    for rule in column.rules:
        if rule.rule in _BY_RULE:
            return _BY_RULE[rule.rule]
    if column.logical_type in _BY_TYPE:
        return _BY_TYPE[column.logical_type]
    in_set = [r for r in column.rules if r.rule == "in_set"]
    if (column.name == "sex" or column.name.endswith("_sex")) and in_set and \
            set(in_set[0].args.get("values", ())) <= _SEX_VALUES:
        return "sex"
    return None


def address_columns(contract: "Contract") -> list[tuple[str, str | None, str]]:
    """(address column, division column or None, key column name) for every address the rules resolve."""
    addresses = [c.name for c in contract.columns if any(r.rule == "address_resolvable" for r in c.rules)]
    divisions = [c.name for c in contract.columns if any(r.rule == "gb2260_division" for r in c.rules)]
    division = divisions[0] if divisions else None
    if len(addresses) == 1:
        return [(addresses[0], division, "address_key")]
    return [(a, division, _key_name(a)) for a in addresses]


def _key_name(address: str) -> str:
    if address == "address":
        return "address_key"
    return f"{address}_key" if address.endswith("address") else f"{address}_address_key"


def model_name(contract: "Contract") -> str:
    return f"stg_{contract.dept}__{contract.feed}"


def render(contract: "Contract") -> StagingModel:
    name = model_name(contract)
    header = (f"{{#- {GENERATED_MARK}{contract.dept}/{contract.feed}.yaml by `citylake contracts dbt-staging`:\n"
              f"    change the contract and regenerate, do not edit. -#}}\n")
    # The address key looks district names up in ref_divisions from inside a macro: dbt needs the hint.
    depends = "-- depends_on: {{ ref('ref_divisions') }}\n" if address_columns(contract) else ""
    sql = (
        f"{header}"
        f"-- {contract.title}（{contract.department_name}）: values as sent plus their standard forms.\n"
        f"{depends}"
        "with\n\n"
        "renamed as (\n"
        f"    {{{{ lake_records('{contract.dept}', '{contract.feed}') }}}}\n"
        "),\n\n"
        "standardised as (\n"
        "    select\n"
        "        renamed.*\n"
        f"        {{{{ standard_columns('{contract.dept}', '{contract.feed}') }}}}\n"
        "    from renamed\n"
        "),\n\n"
        "final as (\n"
        "    select * from standardised\n"
        ")\n\n"
        "select * from final\n"
    )
    return StagingModel(name, sql, _yml(contract, name))


def _yml(contract: "Contract", name: str) -> str:
    snapshot = ("the latest full export" if contract.delivery.kind == "file" and contract.delivery.mode == "full"
                else "every version delivered")
    grain = contract.grain or f"One row per {contract.feed} record as sent"
    columns: list[dict] = [
        {"name": "record_id", "description": "记录标识 — `<load_id>:<row>`, unique across the lake",
         "data_tests": ["unique", "not_null"]},
        {"name": "source_file", "description": "来源文件或接口"},
        {"name": "source_row_number", "description": "来源中的行号或位置"},
        {"name": "load_id", "description": "入湖批次"},
        {"name": "loaded_at", "description": "入湖时间 (UTC)"},
        {"name": "load_date", "description": "入湖日期"},
    ]
    for c in contract.columns:
        columns.append({"name": c.name, "description": f"{c.label} (as sent: {c.source})"})
    for c in contract.columns:
        form = column_standard(c)
        if form:
            columns.append({"name": f"std_{c.name}", "description": f"标准{c.label} — {FORM_DOC[form]}"})
    for address, _, key in address_columns(contract):
        label = contract.column(address).label
        columns.append({"name": key, "description": f"标准地址键 parsed from {label}; null when it cannot be parsed"})
    doc = {
        "version": 2,
        "models": [{
            "name": name,
            "description": (f"{grain}, from {snapshot} of {contract.title}（{contract.department_name}，"
                            f"contract {contract.id}）: lineage, every contract column as sent (text) and the "
                            "standard forms prefixed std_."),
            "columns": columns,
        }],
    }
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    return f"# {GENERATED_MARK}{contract.dept}/{contract.feed}.yaml by `citylake contracts dbt-staging`: do not edit.\n{body}"


def is_hand_written(path: Path) -> bool:
    return path.exists() and GENERATED_MARK not in path.read_text(encoding="utf-8")[:300]


FEEDS_MACRO = Path("macros") / "generated_feeds.sql"


def feeds_macro(contracts: list["Contract"]) -> str:
    """A dbt macro listing every address of every staged feed, so intermediate models can union them with
    ``ref()`` calls dbt sees at parse time (dbt's ``graph`` is empty while parsing)."""
    rows = [f"        {{'contract_id': '{c.id}', 'model': '{model_name(c)}', 'address': '{a}', 'address_key': '{k}'}},"
            for c in sorted(contracts, key=lambda c: c.id) for a, _, k in address_columns(c)]
    return (f"{{#- {GENERATED_MARK}*/*.yaml by `citylake contracts dbt-staging`: do not edit. -#}}\n"
            "{#- Every address a staged feed's rules resolve: (contract, staging model, column, key column). -#}\n"
            "{% macro staged_addresses() -%}\n"
            "    {{ return([\n" + "\n".join(rows) + "\n    ]) }}\n"
            "{%- endmacro %}\n")


def planned(contracts: list["Contract"], staging_dir: Path) -> dict[Path, str]:
    """Every generated file under ``staging_dir`` as it should be (hand-written models excluded), and the
    feeds macro beside the project's other macros."""
    files: dict[Path, str] = {staging_dir.parent.parent / FEEDS_MACRO: feeds_macro(contracts)}
    for c in sorted(contracts, key=lambda c: c.id):
        m = render(c)
        sql = staging_dir / f"{m.name}.sql"
        if is_hand_written(sql):
            continue
        files[sql] = m.sql
        files[staging_dir / f"{m.name}.yml"] = m.yml
    return files


def write_staging(contracts: list["Contract"], staging_dir: Path) -> list[Path]:
    """Write the generated models of the active contracts and delete generated ones whose contract is gone."""
    files = planned(contracts, staging_dir)
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in sorted(staging_dir.glob("stg_*.*")):
        if path not in files and GENERATED_MARK in path.read_text(encoding="utf-8")[:300]:
            path.unlink()
    return sorted(files)
