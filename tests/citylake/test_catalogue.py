"""docs/sources.md: the source catalogue page, generated from every contract (drafts included)."""

from pathlib import Path

import pytest

from citylake.catalogue import render_catalogue, simulated_defects
from ingest.contracts import load_contracts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contracts():
    return load_contracts(ROOT / "contracts", include_inactive=True)


def test_committed_page_matches_the_contracts(contracts):
    committed = (ROOT / "docs/sources.md").read_text(encoding="utf-8")
    assert committed == render_catalogue(contracts, simulated_defects()), (
        "docs/sources.md is stale: regenerate it with `citylake contracts catalogue`"
    )


def test_one_row_per_feed_under_its_department(contracts):
    page = render_catalogue(contracts)
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(rows) == len(contracts)
    for c in contracts:
        (row,) = [r for r in rows if r.startswith(f"| `{c.id}` |")]
        cells = [x.strip() for x in row.strip("|").split(" | ")]
        assert cells[1] == c.title and cells[5] == c.status and cells[7] == str(len(c.columns))
        assert page.index(f"(`{c.dept}`)") < page.index(row)


def test_delivery_forms_are_spelled_out(contracts):
    page = render_catalogue(contracts)
    assert "REST API `shuju_12345` `/api/v1/workorders`" in page
    assert "front-end DB `weijian_frontdb` table `public.t_csyxzm`, since `gxsj`" in page
    assert "xlsx, sheet 房屋信息, header row 2, full deliveries — `zhujian/fangwu/*.xlsx`" in page
    assert "csv, gbk, delta deliveries — `gongan/jingqing/*.csv`" in page
    assert "delimiter `\\|`" in page  # a pipe inside a cell is escaped, so the table keeps its columns
    assert "实有人口 (≥90%)" in page
    hukou = next(line for line in page.splitlines() if line.startswith("| `gongan.hukou`"))
    assert "id_number (证件号, 核心)" in hukou and "name (姓名, 重要)" in hukou


def test_defects_column_renders_what_the_simulator_configures(contracts):
    page = render_catalogue(
        contracts, {"gongan.hukou": {"bad_check_digit": 0.02, "duplicate": 0.005}, "shuju.hotline": "late updates"}
    )
    hukou = next(line for line in page.splitlines() if line.startswith("| `gongan.hukou`"))
    assert hukou.endswith("| bad_check_digit 2.0%, duplicate 0.5% |")
    assert "| late updates |" in page
    liudong = next(line for line in page.splitlines() if line.startswith("| `gongan.liudong`"))
    assert liudong.endswith("| — |")
