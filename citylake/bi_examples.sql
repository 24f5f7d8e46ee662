-- Example queries analysts run on bi.duckdb (docs/bi.md shows them; tests/citylake/test_bi.py runs each through
-- the DuckDB CLI and SQLAlchemy). One query per `-- name:` block.

-- name: population_by_district
-- 实有人口 by district and population type (户籍/流动/寄住), living persons, counted by pseudonym.
select district_name, population_type, count(distinct person_key) as persons
from marts.dim_person
where is_resident and not is_deceased
group by district_name, population_type
order by district_name, population_type;

-- name: houses_by_occupancy
-- 实有房屋 by district and use: occupied (有人居住) or empty (空置), with their residents.
select district_name, usage,
       case when is_occupied then '有人居住' else '空置' end as occupancy,
       count(*) as houses,
       sum(resident_count) as residents
from marts.dim_house
group by district_name, usage, occupancy
order by district_name, usage, occupancy;

-- name: events_overdue
-- 超期事件 by district and module: received, overdue, overdue and still open, overdue rate.
select district_name, module_name,
       count(*) as events,
       count(*) filter (where is_overdue) as overdue,
       count(*) filter (where is_overdue and not is_closed) as overdue_open,
       round(count(*) filter (where is_overdue) / count(*), 4) as overdue_rate
from marts.fct_event
group by district_name, module_name
order by overdue desc, district_name, module_name;

-- name: validity_by_department
-- 部门数据有效性 of the latest validity run, ranked (红黑榜), against the 90% target.
select department, records, valid_records, round(validity_ratio, 4) as validity_ratio,
       validity_rank, target, mark
from quality.department_ranking
where run_id = (select run_id from quality.department_ranking order by run_at desc limit 1)
order by validity_rank nulls last, department;

-- name: owners_living_in_their_house
-- A join through pseudonyms: houses whose owner (产权人) lives in them, by district.
select h.district_name, count(distinct h.house_id) as houses
from marts.dim_house as h
inner join marts.dim_person as p
    on p.person_key = h.owner_person_key and p.house_id = h.house_id
group by h.district_name
order by h.district_name;
