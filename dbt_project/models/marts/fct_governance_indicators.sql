-- 市域社会治理主要指标 (专栏1): one row per indicator and scope (宜春市 and each district), the values the
-- intermediate indicator models compute from the warehouse, with the plan's name, target and comparator
-- (ref_indicator_targets) and whether the target is met.
with

event_indicators as (
    select * from {{ ref('int_indicators__events') }}
),

grid_video_indicators as (
    select * from {{ ref('int_indicators__grids_video') }}
),

targets as (
    select * from {{ ref('ref_indicator_targets') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

grid_events as (
    select * from {{ ref('stg_zhengfawei__wangge_shijian') }}
),

cities as (
    select distinct city_code, city_name from divisions
),

period as (
    select
        {{ dbt.dateadd('day', -365, citylake.events_as_of('grid_events')) }} as period_start,
        {{ citylake.events_as_of('grid_events') }} as period_end
),

indicator_values as (
    select indicator_code, scope, numerator, denominator, value from event_indicators
    union all
    select indicator_code, scope, numerator, denominator, value from grid_video_indicators
),

final as (
    select
        indicator_values.indicator_code,
        targets.indicator_name,
        indicator_values.scope,
        coalesce(cities.city_name, divisions.district_name) as scope_name,
        case when cities.city_code is not null then '市' else '区县' end as scope_level,
        indicator_values.numerator,
        indicator_values.denominator,
        indicator_values.value,
        targets.comparator,
        targets.target,
        {{ citylake.meets_target('indicator_values.value', 'targets.comparator', 'targets.target') }} as is_met,
        targets.target_source,
        targets.unit,
        cast(period.period_start as date) as period_start,
        cast(period.period_end as date) as period_end
    from indicator_values
    left join targets on indicator_values.indicator_code = targets.indicator_code
    left join cities on indicator_values.scope = cities.city_code
    left join divisions on indicator_values.scope = divisions.division_code
    cross join period
)

select * from final
