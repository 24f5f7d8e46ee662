"""Every figure of the leadership reports as a named warehouse query: the one place a number on a report
comes from, and what the report's appendix (数据来源) prints so a reader can re-run it.

A :class:`Figure` is a SQL text with named parameters (``$start``, ``$run_id`` …) bound at run time from
the report's period; :func:`run` executes it on a read-only connection to the published warehouse. The
report renders each cell it takes from a figure with the figure's id, the row's key, the column and the raw
value (``data-figure``/``data-key``/``data-col``/``data-value``), so a test — or an auditor — can re-run the
printed SQL and compare.

Per-district figures share one shape: the city's districts (``reference.ref_divisions``) in code order,
``未明确区县`` when some rows carry no known district, and ``全市`` (``360900``) last; a district with nothing
in the period shows zero counts and no rate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

CITY_CODE = "360900"
CITY_NAME = "全市"
UNKNOWN_CODE = "999999"
UNKNOWN_NAME = "未明确区县"


@dataclass(frozen=True)
class Figure:
    name: str  # the id the report and its appendix use
    title: str  # Chinese, as the appendix lists it
    sql: str
    key: tuple[str, ...]  # the columns that identify a row
    requires: tuple[str, ...] = ()  # relations read (schema.table): a held or absent one suppresses the figure

    @property
    def parameters(self) -> tuple[str, ...]:
        """The named parameters the SQL uses, in first-use order."""
        return tuple(dict.fromkeys(re.findall(r"\$([a-z_]+)", self.sql)))


@dataclass(frozen=True)
class Result:
    figure: Figure
    params: dict[str, Any]
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    def by_key(self) -> dict[str, dict[str, Any]]:
        return {row_key(self.figure, r): r for r in self.rows}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.by_key().get(key)


def row_key(figure: Figure, row: dict[str, Any]) -> str:
    return "|".join(cell_value(row[k]) for k in figure.key)


def cell_value(v: Any) -> str:
    """The raw value as the report's ``data-value`` attribute carries it (floats at full precision)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def run(con: duckdb.DuckDBPyConnection, figure: Figure, params: dict[str, Any]) -> Result:
    """Execute ``figure`` with the parameters it uses (DuckDB refuses unused ones)."""
    bound = {p: params[p] for p in figure.parameters}
    cur = con.execute(figure.sql, bound)
    columns = tuple(d[0] for d in cur.description)
    rows = tuple(dict(zip(columns, r)) for r in cur.fetchall())
    return Result(figure, bound, columns, rows)


def _per_district(facts: str, measures: str, derived: str = "") -> str:
    """A per-district query: ``facts`` selects rows with a ``district_name`` column; ``measures`` are the
    aggregates (``count(*) filter (…) as x``), zero-filled for a district without rows; ``derived`` are
    expressions over the measures (rates), computed after the zero fill."""
    measure_names = re.findall(r"\bas ([a-z_0-9]+)\s*(?:,|$)", measures.strip(), flags=re.M)
    filled = ",\n       ".join(f"coalesce(a.{m}, 0) as {m}" for m in measure_names)
    derived_sql = f",\n       {derived}" if derived else ""
    return f"""with spine as (
    select division_code as district_code, district_name as district from reference.ref_divisions
    union all select '{UNKNOWN_CODE}', '{UNKNOWN_NAME}'
    union all select '{CITY_CODE}', '{CITY_NAME}'
),
facts as (
    select coalesce(r.division_code, '{UNKNOWN_CODE}') as district_code, f.*
    from ({facts.strip()}) f
    left join reference.ref_divisions r on r.district_name = f.district_name
),
agg as (
    select coalesce(district_code, '{CITY_CODE}') as district_code,
           {measures.strip()}
    from facts
    group by grouping sets ((district_code), ())
),
filled as (
    select s.district_code, s.district,
       {filled}
    from spine s left join agg a using (district_code)
    where s.district_code <> '{UNKNOWN_CODE}' or a.district_code is not null
)
select *{derived_sql}
from filled
order by district_code = '{CITY_CODE}', district_code"""


VALIDITY_RUNS = Figure(
    "validity_runs", "校验运行（选取本期与上期的校验批次）",
    """select run_id, min(run_at) as run_at,
       timezone('Asia/Shanghai', min(run_at))::date as run_date
from quality.validity_runs
group by run_id
order by run_at, run_id""",
    key=("run_id",), requires=("quality.validity_runs",))

PUBLICATIONS = Figure(
    "publications", "各数据集市最近一次发布决定（写入—审核—发布）",
    """select mart, action, run_id, live_run_id, published_at, blocked_by
from quality.publications
qualify row_number() over (partition by mart order by published_at desc, run_id desc) = 1
order by mart""",
    key=("mart",), requires=("quality.publications",))

DEPARTMENT_RANKING = Figure(
    "department_ranking", "红黑榜：各部门数据有效率、排名及较上期变化",
    """select d.department, d.records, d.valid_records, d.validity_ratio, d.validity_rank, d.target, d.mark,
       p.validity_ratio as previous_ratio,
       d.validity_ratio - p.validity_ratio as change
from quality.department_ranking d
left join quality.department_ranking p
       on p.run_id = $prev_run_id and p.department = d.department
where d.run_id = $run_id
order by d.validity_rank nulls last, d.department""",
    key=("department",), requires=("quality.department_ranking",))

BASIC_VALIDITY = Figure(
    "basic_validity", "基础数据有效性（实有人口、流动人口、实有房屋）",
    """with cur as (
    select dataset, sum(records) as records, sum(valid_records) as valid_records, max(target) as target
    from quality.validity_runs
    where run_id = $run_id and target is not null
    group by dataset
),
prev as (
    select dataset, sum(valid_records) / nullif(sum(records), 0) as ratio
    from quality.validity_runs
    where run_id = $prev_run_id and target is not null
    group by dataset
)
select c.dataset, c.records, c.valid_records,
       c.valid_records / nullif(c.records, 0) as validity_ratio,
       c.target,
       c.valid_records / nullif(c.records, 0) >= c.target as is_met,
       p.ratio as previous_ratio,
       c.valid_records / nullif(c.records, 0) - p.ratio as change
from cur c left join prev p using (dataset)
order by case c.dataset when '实有人口' then 1 when '流动人口' then 2 when '实有房屋' then 3 else 4 end,
         c.dataset""",
    key=("dataset",), requires=("quality.validity_runs",))

BASIC_VALIDITY_FEEDS = Figure(
    "basic_validity_feeds", "基础数据有效性（按来源部门数据集）",
    """select contract_id, dataset, department, records, valid_records, validity_ratio, target, passed, gate
from quality.validity_runs
where run_id = $run_id and target is not null
order by case dataset when '实有人口' then 1 when '流动人口' then 2 when '实有房屋' then 3 else 4 end,
         contract_id""",
    key=("contract_id",), requires=("quality.validity_runs",))

POPULATION_BY_DISTRICT = Figure(
    "population_by_district", "实有人口（按区县）",
    _per_district(
        "select district_name, population_type from marts.dim_person where is_resident",
        """count(*) as residents,
           count(*) filter (where population_type = '户籍') as hukou,
           count(*) filter (where population_type = '流动') as floating,
           count(*) filter (where population_type = '寄住') as lodging"""),
    key=("district_code",), requires=("marts.dim_person", "reference.ref_divisions"))

HOUSES_BY_DISTRICT = Figure(
    "houses_by_district", "实有房屋（按区县）",
    _per_district(
        "select district_name, is_occupied, is_rented from marts.dim_house",
        """count(*) as rooms,
           count(*) filter (where is_occupied) as occupied,
           count(*) filter (where is_rented) as rented"""),
    key=("district_code",), requires=("marts.dim_house", "reference.ref_divisions"))

# Received: reported in the window. Closed: closed in the window (whenever reported). Overdue: past its
# deadline at the as-of date of the mart and either still open or closed (late) in the window. The rates
# follow the events received in the window: closed by its end ÷ received; 调解成功/化解 ÷ those with an outcome.
EVENTS_BY_DISTRICT = Figure(
    "events_by_district", "社会治理事件受理、办结、超期及办结率、化解率（按区县）",
    _per_district(
        "select district_name, reported_date, closed_at, is_closed, is_overdue, is_resolved from marts.fct_event",
        """count(*) filter (where reported_date between $start and $end) as received,
           count(*) filter (where closed_at::date between $start and $end) as closed,
           count(*) filter (where is_overdue
                            and (not coalesce(is_closed, false) or closed_at::date between $start and $end)) as overdue,
           count(*) filter (where reported_date between $start and $end and is_closed
                            and coalesce(closed_at::date, reported_date) <= $end) as received_closed,
           count(*) filter (where reported_date between $start and $end and is_resolved is not null) as with_outcome,
           count(*) filter (where reported_date between $start and $end and is_resolved) as resolved""",
        """received_closed / nullif(received, 0) as closure_rate,
       resolved / nullif(with_outcome, 0) as resolution_rate"""),
    key=("district_code",), requires=("marts.fct_event", "reference.ref_divisions"))

EVENTS_BY_SOURCE = Figure(
    "events_by_source", "社会治理事件（按来源）",
    """select source_name,
       count(*) filter (where reported_date between $start and $end) as received,
       count(*) filter (where closed_at::date between $start and $end) as closed,
       count(*) filter (where is_overdue
                        and (not coalesce(is_closed, false) or closed_at::date between $start and $end)) as overdue,
       count(*) filter (where reported_date between $prev_start and $prev_end) as previous_received
from marts.fct_event
group by source_name
having received + closed + overdue + previous_received > 0
order by received desc, source_name""",
    key=("source_name",), requires=("marts.fct_event",))

# A 12345 order counts in the window it was evaluated (回访) in; the feed's own evaluation time, else its
# closing time, else its report date, when a version does not carry the step.
HOTLINE_SATISFACTION = Figure(
    "hotline_satisfaction", "12345热线满意率（本期回访，按区县）",
    _per_district(
        """select district_name, is_satisfied,
                  coalesce(evaluated_at::date, closed_at::date, reported_date) as evaluated_date
           from marts.fct_event where source_feed = 'shuju.hotline' and is_satisfied is not null""",
        """count(*) filter (where evaluated_date between $start and $end) as evaluated,
           count(*) filter (where evaluated_date between $start and $end and is_satisfied) as satisfied,
           count(*) filter (where evaluated_date between $prev_start and $prev_end) as previous_evaluated,
           count(*) filter (where evaluated_date between $prev_start and $prev_end and is_satisfied) as previous_satisfied""",
        """satisfied / nullif(evaluated, 0) as satisfaction_rate,
       previous_satisfied / nullif(previous_evaluated, 0) as previous_rate,
       satisfied / nullif(evaluated, 0) - previous_satisfied / nullif(previous_evaluated, 0) as change"""),
    key=("district_code",), requires=("marts.fct_event", "reference.ref_divisions"))

HOTLINE_INDICATOR = Figure(
    "hotline_indicator", "12345热线满意率（近365天，治理指标口径）",
    """select scope, scope_name, numerator, denominator, value, comparator, target, is_met, period_start, period_end
from marts.fct_governance_indicators
where indicator_code = 'hotline_satisfaction_rate'
order by scope = '360900' desc, scope""",
    key=("scope",), requires=("marts.fct_governance_indicators",))

CAMERA_ONLINE_BY_DAY = Figure(
    "camera_online_by_day", "视频监控点位在线率（按日）",
    # The window ends on the last day up to $end that has status reports (the platform may not have sent
    # the day the report describes yet) and keeps its length; the report says when it ends before $end.
    """with last_day as (
    select max(status_date) as status_date from marts.fct_camera_status_daily where status_date <= $end
)
select s.status_date,
       count(*) as cameras_reporting,
       count(*) filter (where s.is_online) as cameras_online,
       count(*) filter (where s.is_online) / count(*) as online_rate,
       avg(s.online_ratio) as mean_online_ratio
from marts.fct_camera_status_daily s
join last_day l
  on s.status_date between l.status_date - cast(cast($end as date) - cast($trend_start as date) as integer)
                       and l.status_date
group by s.status_date
order by s.status_date""",
    key=("status_date",), requires=("marts.fct_camera_status_daily",))

CAMERA_ONLINE_BY_DISTRICT = Figure(
    "camera_online_by_district", "视频监控点位在线率（最近状态日，按区县）",
    _per_district(
        """select r.district_name, s.status_date, s.is_online, s.online_ratio
           from marts.fct_camera_status_daily s
           join (select max(status_date) as d from marts.fct_camera_status_daily where status_date <= $end) l
             on s.status_date = l.d
           left join marts.dim_camera c using (device_id)
           left join reference.ref_divisions r on r.division_code = c.district_code""",
        """count(*) as cameras_reporting,
           count(*) filter (where is_online) as cameras_online""",
        """cameras_online / nullif(cameras_reporting, 0) as online_rate,
       (select max(status_date) from marts.fct_camera_status_daily where status_date <= $end) as status_date"""),
    key=("district_code",),
    requires=("marts.fct_camera_status_daily", "marts.dim_camera", "reference.ref_divisions"))

CAMERA_COVERAGE_VILLAGE = Figure(
    "camera_coverage_village", "视频监控覆盖（村/社区，雪亮工程）",
    _per_district(
        """select r.district_name, v.village_kind, v.is_village_compliant, v.is_xueliang_covered,
                  v.natural_villages, v.natural_villages_compliant, v.cameras, v.class_1_cameras
           from marts.fct_camera_coverage_village v
           left join reference.ref_divisions r on r.division_code = v.district_code""",
        """count(*) as villages,
           count(*) filter (where village_kind = '村委会') as admin_villages,
           count(*) filter (where village_kind = '村委会' and is_village_compliant) as admin_villages_compliant,
           sum(natural_villages) as natural_villages,
           sum(natural_villages_compliant) as natural_villages_compliant,
           count(*) filter (where village_kind = '村委会' and is_xueliang_covered) as xueliang_covered,
           sum(cameras) as cameras,
           sum(class_1_cameras) as class_1_cameras""",
        """admin_villages_compliant / nullif(admin_villages, 0) as village_compliance_rate,
       natural_villages_compliant / nullif(natural_villages, 0) as natural_village_compliance_rate,
       xueliang_covered / nullif(admin_villages, 0) as xueliang_coverage"""),
    key=("district_code",), requires=("marts.fct_camera_coverage_village", "reference.ref_divisions"))

CAMERA_COVERAGE_GRID = Figure(
    "camera_coverage_grid", "视频监控覆盖（网格）",
    _per_district(
        """select r.district_name, g.cameras, g.plan_points, g.cameras_reporting, g.cameras_online
           from marts.fct_camera_coverage_grid g
           left join reference.ref_divisions r on r.division_code = g.district_code""",
        """count(*) as grids,
           count(*) filter (where cameras > 0) as grids_with_cameras,
           sum(cameras) as cameras,
           sum(plan_points) as plan_points,
           sum(cameras_reporting) as cameras_reporting,
           sum(cameras_online) as cameras_online""",
        """grids_with_cameras / nullif(grids, 0) as grid_coverage,
       cameras_online / nullif(cameras_reporting, 0) as online_rate"""),
    key=("district_code",), requires=("marts.fct_camera_coverage_grid", "reference.ref_divisions"))

GOVERNANCE_INDICATORS = Figure(
    "governance_indicators", "市域社会治理主要指标（专栏1）及目标达成",
    """with seed as (
    select indicator_code, definition, row_number() over () as ord from reference.ref_indicator_targets
)
select i.indicator_code, i.indicator_name, i.scope, i.scope_name, i.scope_level,
       i.numerator, i.denominator, i.value, i.comparator, i.target, i.is_met, i.unit,
       i.period_start, i.period_end, s.definition
from marts.fct_governance_indicators i
left join seed s using (indicator_code)
order by s.ord nulls last, i.indicator_code, i.scope = '360900' desc, i.scope""",
    key=("indicator_code", "scope"),
    requires=("marts.fct_governance_indicators", "reference.ref_indicator_targets"))

FIGURES: dict[str, Figure] = {f.name: f for f in (
    VALIDITY_RUNS, PUBLICATIONS, DEPARTMENT_RANKING, BASIC_VALIDITY, BASIC_VALIDITY_FEEDS,
    POPULATION_BY_DISTRICT, HOUSES_BY_DISTRICT, EVENTS_BY_DISTRICT, EVENTS_BY_SOURCE, HOTLINE_SATISFACTION,
    HOTLINE_INDICATOR, CAMERA_ONLINE_BY_DAY, CAMERA_ONLINE_BY_DISTRICT, CAMERA_COVERAGE_VILLAGE,
    CAMERA_COVERAGE_GRID, GOVERNANCE_INDICATORS,
)}

# What a reader calls a mart when it is held back (暂缓发布).
MART_LABELS = {
    "marts.dim_person": "实有人口",
    "marts.dim_house": "实有房屋",
    "marts.fct_event": "社会治理事件",
    "marts.fct_camera_status_daily": "视频监控在线状态",
    "marts.dim_camera": "视频监控点位",
    "marts.fct_camera_coverage_village": "视频监控覆盖（村/社区）",
    "marts.fct_camera_coverage_grid": "视频监控覆盖（网格）",
    "marts.fct_governance_indicators": "市域社会治理指标",
}
