-- The grid and video side of the governance indicators (专栏1), one row per (indicator_code, scope) for the
-- city (360900) and each district with grids, as simulator/world/indicators.py defines them:
--   grid_worker_coverage               grids with ≥1 active grid worker ÷ grids
--   min_grid_workers_per_grid          the fewest active workers any grid has (no numerator/denominator)
--   village_camera_compliance          村委会 with ≥5 一类 points at the village ÷ 村委会
--   natural_village_camera_compliance  自然村 with ≥2 一类 points at their crossings ÷ 自然村
--   xueliang_coverage                  村委会 meeting both rules (itself and all its 自然村) ÷ 村委会
--   village_grid_coverage              村/社区 with ≥1 grid ÷ 村/社区
--   service_facility_coverage          村委会 with a 村级综合服务设施 (农业农村局 村名录 says 有) ÷ 村委会;
--                                      a village the register lacks or leaves blank counts as without
-- A scope with nothing to count gets numerator 0, denominator 0 and no value.
with

grids as (
    select * from {{ ref('dim_grid') }}
),

divisions as (
    select * from {{ ref('dim_division') }}
),

village_coverage as (
    select * from {{ ref('fct_camera_coverage_village') }}
),

cameras as (
    select * from {{ ref('dim_camera') }}
),

village_register as (
    select * from {{ ref('stg_nongye__cun') }}
),

{#- A register row sent twice (a duplicate) must not count its village twice: one answer per code. -#}
service_facilities as (
    select
        {{ citylake.squish('village_code') }} as village_code,
        max(case when trim(service_facility) = '有' then 1 else 0 end) as has_service_facility
    from village_register
    group by {{ citylake.squish('village_code') }}
),

natural_village_points as (
    select
        natural_villages.division_code as natural_village_code,
        natural_villages.district_code,
        count(cameras.device_id) as plan_points
    from divisions as natural_villages
    left join cameras
        on cameras.natural_village_code = natural_villages.division_code and cameras.is_plan_point
    where natural_villages.division_level = 'natural_village'
    group by natural_villages.division_code, natural_villages.district_code
),

{#- (indicator_code, district, 1 when the unit meets the rule else 0) for every unit counted. -#}
units as (
    select 'grid_worker_coverage' as indicator_code, district_code,
        case when grid_workers >= 1 then 1 else 0 end as is_met
    from grids
    union all
    select 'village_grid_coverage', district_code, case when grids >= 1 then 1 else 0 end
    from village_coverage
    union all
    select 'village_camera_compliance', district_code, case when is_village_compliant then 1 else 0 end
    from village_coverage
    where village_kind = '村委会'
    union all
    select 'xueliang_coverage', district_code, case when is_xueliang_covered then 1 else 0 end
    from village_coverage
    where village_kind = '村委会'
    union all
    select 'natural_village_camera_compliance', district_code, case when plan_points >= 2 then 1 else 0 end
    from natural_village_points
    union all
    select 'service_facility_coverage', village_coverage.district_code,
        coalesce(service_facilities.has_service_facility, 0)
    from village_coverage
    left join service_facilities
        on village_coverage.village_code = service_facilities.village_code
    where village_coverage.village_kind = '村委会'
),

scoped_units as (
    select indicator_code, '360900' as scope, is_met from units
    union all
    select indicator_code, district_code as scope, is_met from units
),

ratios as (
    select
        indicator_code,
        scope,
        cast(sum(is_met) as double) as numerator,
        cast(count(*) as double) as denominator
    from scoped_units
    group by indicator_code, scope
),

scopes as (
    select '360900' as scope
    union all
    select distinct district_code from grids where district_code is not null
),

ratio_codes as (
    select 'grid_worker_coverage' as indicator_code
    union all select 'village_camera_compliance'
    union all select 'natural_village_camera_compliance'
    union all select 'xueliang_coverage'
    union all select 'village_grid_coverage'
    union all select 'service_facility_coverage'
),

ratio_rows as (
    select
        ratio_codes.indicator_code,
        scopes.scope,
        coalesce(ratios.numerator, 0) as numerator,
        coalesce(ratios.denominator, 0) as denominator
    from ratio_codes
    cross join scopes
    left join ratios
        on ratio_codes.indicator_code = ratios.indicator_code and scopes.scope = ratios.scope
),

fewest_workers as (
    select '360900' as scope, min(grid_workers) as fewest from grids
    union all
    select district_code, min(grid_workers) from grids group by district_code
),

final as (
    select
        indicator_code,
        scope,
        numerator,
        denominator,
        case when denominator > 0 then numerator / denominator end as value
    from ratio_rows
    union all
    select
        'min_grid_workers_per_grid' as indicator_code,
        scopes.scope,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(fewest_workers.fewest as double) as value
    from scopes
    left join fewest_workers
        on scopes.scope = fewest_workers.scope
)

select * from final
