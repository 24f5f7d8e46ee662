"""红黑榜: ranks, changes and marks (pure core), and the per-run table the runner writes."""

import duckdb
import pytest

from expectations.ranking import BLACK, RED, DepartmentFigures, rank_departments
from expectations.runner import validate
from tests.expectations.small_city import build, settings_for


def _by_name(ranked):
    return {r.department: r for r in ranked}


def test_ranks_changes_and_marks():
    current = [
        DepartmentFigures("甲", 100, 100),
        DepartmentFigures("乙", 100, 95),
        DepartmentFigures("丙", 200, 190),  # ties with 乙: same rank, the next rank is skipped
        DepartmentFigures("丁", 100, 92),
        DepartmentFigures("戊", 100, 80),
        DepartmentFigures("己", 0, 0),  # nothing sent this run: unranked, unmarked
    ]
    previous = {"甲": 0.99, "乙": 0.90, "戊": 0.85, "庚": 0.5}
    got = _by_name(rank_departments(current, previous, target=0.9))
    assert {k: v.rank for k, v in got.items()} == {"甲": 1, "乙": 2, "丙": 2, "丁": 4, "戊": 5, "己": None}
    assert {k: v.mark for k, v in got.items()} == {"甲": RED, "乙": RED, "丙": RED, "丁": None, "戊": BLACK, "己": None}
    assert got["乙"].change == pytest.approx(0.05) and got["甲"].change == pytest.approx(0.01)
    assert got["戊"].change == pytest.approx(-0.05)
    assert got["丙"].change is None and got["丙"].previous_ratio is None  # new department: no change to rank
    assert {k: v.change_rank for k, v in got.items() if v.change_rank} == {"乙": 1, "甲": 2, "戊": 3}
    # ordered by validity rank, unranked last
    assert [r.department for r in rank_departments(current, previous, target=0.9)][-1] == "己"


def test_target_is_not_below_and_black_is_never_red():
    current = [DepartmentFigures("甲", 10, 9), DepartmentFigures("乙", 10, 8), DepartmentFigures("丙", 10, 7)]
    got = _by_name(rank_departments(current, {}, target=0.9))
    # exactly 90% meets the target; the two below it are black although they rank in the top 3
    assert (got["甲"].mark, got["乙"].mark, got["丙"].mark) == (RED, BLACK, BLACK)
    # nobody in the previous run: no change, no change rank
    assert all(r.change is None and r.change_rank is None for r in got.values())


def test_red_list_is_the_top_three():
    current = [DepartmentFigures(name, 100, 100 - i) for i, name in enumerate("甲乙丙丁戊")]
    got = _by_name(rank_departments(current, {}, target=0.9))
    assert [k for k, v in got.items() if v.mark == RED] == ["甲", "乙", "丙"]
    assert got["丁"].mark is None and got["戊"].mark is None


def test_ranking_is_kept_per_run_against_the_previous_one(tmp_path):
    build(tmp_path / "citylake.duckdb")
    settings = settings_for(tmp_path)
    validate(settings, "run-1")
    con = duckdb.connect(str(settings.warehouse))
    # 公安局 corrects one record (a blank name) before the next run
    con.execute("update staging.stg_gongan__hukou set name = '张三' where record_id = 'hukou:14'")
    con.close()
    validate(settings, "run-2")
    validate(settings, "run-2")  # a retried task replaces its run's ranking
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    rows = con.execute(
        "select run_id, department, records, valid_records, validity_rank, previous_run_id, previous_ratio, change, "
        "change_rank, mark from quality.department_ranking order by run_id, validity_rank, department"
    ).fetchall()
    con.close()
    run1 = [r for r in rows if r[0] == "run-1"]
    run2 = {r[1]: r for r in rows if r[0] == "run-2"}
    assert len(run1) == 3 and len(run2) == 3
    assert all(r[5] is None and r[7] is None for r in run1)  # the first run has nothing to compare with
    gongan = run2["公安局"]
    assert gongan[2:5] == (24, 8, 3)
    assert gongan[5] == "run-1" and gongan[6] == pytest.approx(7 / 24)
    assert gongan[7] == pytest.approx(1 / 24) and gongan[8] == 1
    assert gongan[9] == BLACK
    # 政务服务数据管理局 (only warnings: 3/3) and 住建局 (9/10 = the target) make the red list
    assert (run2["政务服务数据管理局"][4], run2["政务服务数据管理局"][9]) == (1, RED)
    assert (run2["住建局"][4], run2["住建局"][9]) == (2, RED)
