"""The source catalogue page (docs/sources.md), generated from the contracts so it never drifts from them.

One section per department: each feed's id, Chinese name, delivery form, schedule, basic dataset, status, primary
key, column count and personal-information columns, and a column for the defect kinds and rates the simulated
city injects (passed in by the caller from the simulator's configuration; the contracts do not know them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import groupby
from pathlib import Path

import yaml

from ingest.contracts import Contract

# What a caller may pass per contract id: ready text, or {defect kind: rate as a fraction}.
Defects = Mapping[str, "str | Mapping[str, float]"]

_PII_LABEL = {"id_number": "证件号", "name": "姓名", "phone": "电话", "address": "地址"}


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def delivery_mode(c: Contract) -> str | None:
    """A file feed's ``deliveryMode`` custom property (full | delta), read from its contract file.

    The loader does not carry it yet; when :class:`ingest.contracts.Contract` does, read it from there.
    """
    if c.delivery.kind != "file" or c.path is None:
        return None
    data = yaml.safe_load(c.path.read_text(encoding="utf-8"))
    return {p["property"]: p["value"] for p in data.get("customProperties") or []}.get("deliveryMode", "full")


def delivery_text(c: Contract) -> str:
    """How the feed arrives, in one line: format and encoding of a file drop, or the API / database pulled."""
    d = c.delivery
    if d.kind == "api":
        parts = [f"REST API `{d.connection}` `{d.api_path}`", f"{d.page_size}/page", f"records `{d.records_field}`"]
        if d.total_field:
            parts.append(f"total `{d.total_field}`")
        if d.watermark_field:
            parts.append(f"since `{d.watermark_field}`")
        return ", ".join(parts)
    if d.kind == "db":
        table = f"{d.db_schema}.{d.table}" if d.db_schema else d.table
        return f"front-end DB `{d.connection}` table `{table}`, since `{d.watermark_field}`"
    parts = [d.format]
    if d.encoding:
        parts.append(d.encoding)
    if d.format == "csv" and d.delimiter != ",":
        parts.append("tab-separated" if d.delimiter == "\t" else f"delimiter `{d.delimiter}`")
    if d.format in ("xlsx", "xls"):
        parts.append("all sheets" if d.sheet == "*" else f"sheet {d.sheet}" if d.sheet else "first sheet")
        if d.header_row != 1 or d.header_depth != 1:
            rows = f"rows {d.header_row - d.header_depth + 1}–{d.header_row}" if d.header_depth > 1 else f"row {d.header_row}"
            parts.append(f"header {rows}")
    if d.format == "json" and d.records_path:
        parts.append(f"records `{d.records_path}`")
    if d.format == "xml" and d.record_tag:
        parts.append(f"record `<{d.record_tag}>`")
    mode = delivery_mode(c)
    if mode:
        parts.append(f"{mode} deliveries")
    return ", ".join(parts) + f" — `{d.path}`"


def pii_text(c: Contract) -> str:
    cols = [f"{col.name} ({_PII_LABEL.get(col.pii, col.pii)}, {col.grade})" for col in c.columns if col.pii]
    return ", ".join(cols) if cols else "—"


def defects_text(value: "str | Mapping[str, float] | None") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return ", ".join(f"{kind} {rate:.1%}" for kind, rate in value.items()) or "—"


def simulated_defects() -> dict[str, dict[str, float]]:
    """The defect kinds and default rates the simulated city injects per feed (simulator.defects)."""
    from simulator.defects import default_config

    return {cid: dict(sorted(fd.rates.items())) for cid, fd in default_config().items()}


def render_catalogue(contracts: Iterable[Contract], defects: Defects | None = None) -> str:
    """The Markdown page: a summary, then one table per department (sorted by department code, then feed)."""
    defects = defects or {}
    cs = sorted(contracts, key=lambda c: (c.dept, c.feed))
    depts = {c.dept for c in cs}
    active = sum(c.status == "active" for c in cs)
    by_kind = {k: sum(c.delivery.kind == k for c in cs) for k in ("file", "api", "db")}
    lines = [
        "# Source catalogue",
        "",
        "<!-- Generated from contracts/*/*.yaml by citylake.catalogue.render_catalogue: do not edit by hand. -->",
        "",
        f"{len(cs)} feeds of {len(depts)} sources ({active} active, {len(cs) - active} draft): "
        f"{by_kind['file']} file drops, {by_kind['api']} REST APIs, {by_kind['db']} front-end database tables. "
        "Drafts are checked but not run; a feed becomes `active` when its department is simulated.",
        "Basic datasets count towards the ≥90% validity target with a strong gate. Schedules are cron in each "
        "contract's time zone (Asia/Shanghai). PII columns give their class and GB/T 43697 grade. "
        "Defects are the kinds and rates the simulated city injects.",
        "",
    ]
    for dept, group in groupby(cs, key=lambda c: c.dept):
        group = list(group)
        lines += [
            f"## {group[0].department_name} (`{dept}`)",
            "",
            "| feed | 名称 | delivery | schedule | basic dataset | status | primary key | columns | PII columns | defects (kind, rate) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for c in group:
            row = [
                f"`{c.id}`",
                c.title,
                delivery_text(c),
                f"`{c.schedule}`" if c.schedule else "—",
                f"{c.basic_dataset} (≥{c.validity_target:.0%})" if c.basic_dataset else "—",
                c.status,
                ", ".join(c.primary_key),
                str(len(c.columns)),
                pii_text(c),
                defects_text(defects.get(c.id)),
            ]
            lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
        lines.append("")
    return "\n".join(lines)


def write_catalogue(contracts: Iterable[Contract], out: Path, defects: Defects | None = None) -> Path:
    """Write the page to ``out`` (docs/sources.md) and return the path. Until the CLI has a subcommand for it:

    ``.venv/bin/python -c "from pathlib import Path; from ingest.contracts import load_contracts;
    from citylake.catalogue import write_catalogue;
    write_catalogue(load_contracts(Path('contracts'), include_inactive=True), Path('docs/sources.md'))"``
    """
    out.write_text(render_catalogue(contracts, defects), encoding="utf-8")
    return out
