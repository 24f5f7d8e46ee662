"""The red/black ranking of departments (红黑榜), one ranking per validity run, kept for every run.

A department's validity in a run is valid ÷ all of its records in that run (every dataset it sent, basic or
not). Departments are ranked by that validity and by its change since the previous run (the run recorded
just before, by ``run_at``), both with competition ranks (ties share a rank, the next rank is skipped).

Marks (the rule, documented in docs/architecture.md §4 "Correction lists and ranking"):

- **黑榜** every department below the city's validity target (90%, the plan's figure, or the basic datasets'
  target as stored with the run): missing the target is what the black list exists to name, so it is never
  padded with departments that met it, nor shortened when many missed it;
- **红榜** the departments ranked in the top ``RED_TOP`` (3) by validity that also meet the target.

A department with no records in the run is listed unranked and unmarked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

CITY_TARGET = 0.9  # 实有人口、流动人口及实有房屋等基础数据有效性占比不低于90%
RED_TOP = 3
RED = "红榜"
BLACK = "黑榜"

DDL = """
create schema if not exists quality;
create table if not exists quality.department_ranking (
    run_id varchar not null,
    run_at timestamp with time zone not null,
    department varchar not null,
    records bigint not null,
    valid_records bigint not null,
    validity_ratio double,
    validity_rank integer,
    previous_run_id varchar,
    previous_ratio double,
    change double,
    change_rank integer,
    target double not null,
    mark varchar
);
"""


@dataclass(frozen=True)
class DepartmentFigures:
    department: str
    records: int
    valid_records: int

    @property
    def ratio(self) -> float | None:
        return self.valid_records / self.records if self.records else None


@dataclass(frozen=True)
class RankedDepartment:
    department: str
    records: int
    valid_records: int
    ratio: float | None
    rank: int | None
    previous_ratio: float | None
    change: float | None  # ratio − previous ratio (a fraction: 0.012 = +1.2 percentage points)
    change_rank: int | None
    mark: str | None  # 红榜 | 黑榜 | None


def _competition_ranks(values: Mapping[str, float]) -> dict[str, int]:
    """1 + the number of strictly greater values (1, 1, 3 for 0.9, 0.9, 0.8)."""
    ordered = sorted(values.values(), reverse=True)
    return {k: 1 + sum(1 for o in ordered if o > v) for k, v in values.items()}


def rank_departments(
    current: Sequence[DepartmentFigures],
    previous: Mapping[str, float | None],
    target: float = CITY_TARGET,
    red_top: int = RED_TOP,
) -> list[RankedDepartment]:
    """Rank ``current`` by validity and by change since ``previous`` (department → its ratio in the previous
    run) and mark 红榜/黑榜. Sorted by validity rank, then change, then name; unranked last."""
    ratios = {d.department: d.ratio for d in current if d.ratio is not None}
    ranks = _competition_ranks(ratios)
    changes = {
        k: v - previous[k] for k, v in ratios.items() if previous.get(k) is not None
    }
    change_ranks = _competition_ranks(changes)
    out = []
    for d in current:
        ratio, rank = d.ratio, ranks.get(d.department)
        if ratio is None:
            mark = None
        elif ratio < target:
            mark = BLACK
        elif rank is not None and rank <= red_top:
            mark = RED
        else:
            mark = None
        out.append(
            RankedDepartment(
                department=d.department,
                records=d.records,
                valid_records=d.valid_records,
                ratio=ratio,
                rank=rank,
                previous_ratio=previous.get(d.department),
                change=changes.get(d.department),
                change_rank=change_ranks.get(d.department),
                mark=mark,
            )
        )
    return sorted(
        out,
        key=lambda r: (r.rank is None, r.rank or 0, -(r.change if r.change is not None else float("-inf")), r.department),
    )


def write(con: duckdb.DuckDBPyConnection, run_id: str, run_at: datetime) -> list[RankedDepartment]:
    """Rank the departments of ``run_id`` (from ``quality.validity_runs``) against the run recorded before it
    and replace the run's rows of ``quality.department_ranking``. Runs inside the caller's transaction."""
    con.execute(DDL)
    current = [
        DepartmentFigures(dept, int(records), int(valid))
        for dept, records, valid in con.execute(
            "select department, sum(records), sum(valid_records) from quality.validity_runs where run_id = ? "
            "group by department order by department",
            [run_id],
        ).fetchall()
    ]
    (target,) = con.execute(
        "select max(target) from quality.validity_runs where run_id = ?", [run_id]
    ).fetchone()
    target = target if target is not None else CITY_TARGET
    prev = con.execute(
        "select run_id from quality.validity_runs where run_id <> ? and run_at < ? "
        "group by run_id order by max(run_at) desc, run_id desc limit 1",
        [run_id, run_at],
    ).fetchone()
    previous_run = prev[0] if prev else None
    previous = {}
    if previous_run is not None:
        previous = {
            dept: ratio
            for dept, ratio in con.execute(
                "select department, sum(valid_records) / nullif(sum(records), 0) from quality.validity_runs "
                "where run_id = ? group by department",
                [previous_run],
            ).fetchall()
        }
    ranked = rank_departments(current, previous, target)
    con.execute("delete from quality.department_ranking where run_id = ?", [run_id])
    con.executemany(
        "insert into quality.department_ranking values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [run_id, run_at, r.department, r.records, r.valid_records, r.ratio, r.rank,
             previous_run, r.previous_ratio, r.change, r.change_rank,
             target, r.mark]
            for r in ranked
        ],
    )
    return ranked
