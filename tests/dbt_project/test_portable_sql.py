"""The models stay portable (issue: the same project must run on Spark later): DuckDB-only syntax lives in
macros dispatched per adapter (``adapter.dispatch``), never in a model, and every dispatched macro has a
``default__`` implementation for the engines without their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"

# DuckDB spellings with no Spark SQL equivalent of the same name; each has a portable macro or dbt's
# cross-database macro (dbt.cast/safe_cast, dbt.listagg, dbt.datediff, citylake.regexp_full_match …).
DUCKDB_ONLY = {
    "::": r"::",
    "regexp_matches()": r"\bregexp_matches\s*\(",
    "strptime()": r"\bstrptime\s*\(",
    "list functions": r"\blist_[a-z_]+\s*\(",
    "struct_pack()": r"\bstruct_pack\s*\(",
    "read_parquet()": r"\bread_parquet\s*\(",
    "glob()": r"\bglob\s*\(",
    "try_cast": r"\btry_cast\b",
    "string_agg()": r"\bstring_agg\s*\(",
    "date_diff()": r"\bdate_diff\s*\(",
    "epoch_ms()": r"\bepoch_ms\s*\(",
    "qualify": r"\bqualify\b",
    "select * exclude": r"\*\s*exclude\s*\(",
}


def code_of(sql: str) -> str:
    """The SQL a model runs, without Jinja comments, SQL comments and string literals."""
    sql = re.sub(r"\{#.*?#\}", " ", sql, flags=re.S)
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    return re.sub(r"--[^\n]*", " ", sql)


def duckdb_only(sql: str) -> list[str]:
    code = code_of(sql)
    return [name for name, pattern in DUCKDB_ONLY.items() if re.search(pattern, code, flags=re.I)]


def test_the_checker_finds_duckdb_syntax_and_ignores_comments_and_strings():
    assert duckdb_only("select a::int, list_sort(b) from t qualify row_number() over () = 1") == \
        ["::", "list functions", "qualify"]
    assert duckdb_only("-- a::int\n{# strptime(x) #}\nselect 'a::b', cast(a as int) from t") == []


@pytest.mark.parametrize("model", sorted(p.relative_to(PROJECT).as_posix()
                                         for p in (PROJECT / "models").rglob("*.sql")))
def test_no_model_uses_duckdb_only_syntax(model):
    assert duckdb_only((PROJECT / model).read_text(encoding="utf-8")) == [], \
        f"{model}: move the engine-specific part into a macro with adapter.dispatch"


def test_every_dispatched_macro_has_a_default_implementation():
    macros = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT / "macros").rglob("*.sql"))
    dispatched = set(re.findall(r"adapter\.dispatch\(\s*['\"](\w+)['\"]", macros))
    assert dispatched, "no dispatched macro found: the pattern no longer matches the project"
    defined = set(re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", macros))
    assert {m for m in dispatched if f"default__{m}" not in defined} == set()
