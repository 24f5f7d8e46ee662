"""citylake.staging: the staging models generated from the contracts."""

from __future__ import annotations

import dataclasses

import pytest

from citylake.config import settings
from citylake.staging import (
    FEEDS_MACRO, STAGING_DIR, address_columns, column_standard, is_hand_written, planned, render, write_staging,
)
from ingest.contracts import load_contracts

CHECKOUT = settings({})


@pytest.fixture(scope="module")
def contracts():
    return {c.id: c for c in load_contracts(CHECKOUT.contracts_dir)}


def test_committed_models_match_the_contracts(contracts):
    stale = [str(path) for path, text in planned(list(contracts.values()), CHECKOUT.dbt_project_dir / STAGING_DIR).items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"stale generated dbt files (run `citylake contracts dbt-staging`): {stale}"


def test_every_active_feed_has_a_staging_model(contracts):
    staging = CHECKOUT.dbt_project_dir / STAGING_DIR
    missing = [cid for cid, c in contracts.items() if not (staging / f"stg_{c.dept}__{c.feed}.sql").exists()]
    assert not missing


def test_standard_forms_follow_rules_then_types(contracts):
    hukou = contracts["gongan.hukou"]
    assert column_standard(hukou.column("id_number")) == "id_number"
    assert column_standard(hukou.column("phone")) == "phone"
    assert column_standard(hukou.column("division_code")) == "division_code"
    assert column_standard(hukou.column("birth_date")) == "date"
    assert column_standard(hukou.column("sex")) == "sex"
    assert column_standard(hukou.column("name")) is None
    assert column_standard(contracts["shichang.qiye"].column("uscc")) == "uscc"
    assert column_standard(contracts["xueliang.shexiangtou"].column("device_id")) == "device_id"


def test_two_addresses_get_two_keys(contracts):
    c = contracts["gongan.hukou"]
    address = c.column("address")
    second = dataclasses.replace(address, name="work_address", source="工作地址")
    two = dataclasses.replace(c, columns=(*c.columns, second))
    assert [k for _, _, k in address_columns(two)] == ["address_key", "work_address_key"]
    assert address_columns(c) == [("address", "division_code", "address_key")]
    assert "{{ standard_columns('gongan', 'hukou') }}" in render(c).sql


def test_hand_written_models_are_left_alone_and_orphans_removed(tmp_path, contracts):
    staging = tmp_path / "models" / "staging"
    staging.mkdir(parents=True)
    hand = staging / "stg_gongan__hukou.sql"
    hand.write_text("-- written by hand\nselect 1\n", encoding="utf-8")
    orphan = staging / "stg_old__gone.sql"
    orphan.write_text(render(contracts["canlian.canji"]).sql.replace("canlian", "old"), encoding="utf-8")
    (tmp_path / "macros").mkdir()
    written = write_staging([contracts["gongan.hukou"], contracts["canlian.canji"]], staging)
    assert hand.read_text(encoding="utf-8") == "-- written by hand\nselect 1\n" and is_hand_written(hand)
    assert not orphan.exists()
    assert staging / "stg_canlian__canji.sql" in written and staging / "stg_canlian__canji.yml" in written
    macro = (tmp_path / FEEDS_MACRO).read_text(encoding="utf-8")
    assert "'model': 'stg_gongan__hukou'" in macro and "'model': 'stg_canlian__canji'" in macro
