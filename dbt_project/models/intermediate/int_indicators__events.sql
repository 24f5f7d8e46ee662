-- The event side of the governance indicators (专栏1), as simulator/world/indicators.py defines them: events
-- reported in the 365 days before the as-of date, rates counting only events whose deadline has passed.
-- One row per (indicator_code, scope): the city '360900' and each district with residents.
with

events as (
    select * from {{ ref('fct_event') }}
),

persons as (
    select person_id, division_code from {{ ref('dim_person') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

as_of as (
    select
        {{ events_as_of(ref('int_events_unioned')) }} as as_of_date,
        cast({{ events_as_of(ref('int_events_unioned')) }} as {{ dbt.type_timestamp() }}) as as_of_at
),

in_window as (
    select events.*, as_of.as_of_at
    from events
    cross join as_of
    where events.reported_date >= {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
        and events.reported_date < as_of.as_of_date
),

-- Each counted event: (indicator, district, numerator share, denominator share).
counted as (
    select
        'event_closure_rate' as indicator_code,
        division_code,
        case when is_closed and coalesce(closed_at <= as_of_at, true) then 1 else 0 end as numerator,
        1 as denominator
    from in_window
    where source_feed = 'zhengfawei.wangge_shijian' and is_due

    union all

    select
        'dispute_resolution_rate' as indicator_code,
        division_code,
        case when is_closed and coalesce(closed_at <= as_of_at, true) and outcome = '调解成功' then 1 else 0 end,
        1
    from in_window
    where source_feed = 'sifa.tiaojie' and is_due

    union all

    select
        'hotline_satisfaction_rate' as indicator_code,
        division_code,
        case when is_satisfied then 1 else 0 end,
        1
    from in_window
    where source_feed = 'shuju.hotline' and evaluated_at <= as_of_at and is_satisfied is not null

    union all

    select
        'homicide_rate_per_100k' as indicator_code,
        division_code,
        1,
        0
    from in_window
    where source_feed = 'gongan.jingqing' and is_homicide
),

residents as (
    select persons.division_code, count(*) as person_count
    from persons
    inner join divisions
        on persons.division_code = divisions.division_code
    group by persons.division_code
),

scopes as (
    select '360900' as scope
    union all
    select division_code as scope from residents
),

codes as (
    select 'event_closure_rate' as indicator_code
    union all select 'dispute_resolution_rate'
    union all select 'homicide_rate_per_100k'
    union all select 'hotline_satisfaction_rate'
),

tallied as (
    select
        codes.indicator_code,
        scopes.scope,
        coalesce(sum(counted.numerator), 0) as numerator,
        coalesce(sum(counted.denominator), 0) as denominator
    from codes
    cross join scopes
    left join counted
        on codes.indicator_code = counted.indicator_code
        and (scopes.scope = '360900' or counted.division_code = scopes.scope)
    group by codes.indicator_code, scopes.scope
),

population as (
    select '360900' as scope, sum(person_count) as person_count from residents
    union all
    select division_code as scope, person_count from residents
),

final as (
    select
        tallied.indicator_code,
        tallied.scope,
        cast(tallied.numerator as {{ type_double() }}) as numerator,
        cast(
            case when tallied.indicator_code = 'homicide_rate_per_100k' then population.person_count
                else tallied.denominator end
            as {{ type_double() }}
        ) as denominator,
        case
            when tallied.indicator_code = 'homicide_rate_per_100k'
                then case when population.person_count > 0
                    then cast(tallied.numerator as {{ type_double() }}) / population.person_count * 100000 end
            when tallied.denominator > 0
                then cast(tallied.numerator as {{ type_double() }}) / tallied.denominator
        end as value
    from tallied
    left join population
        on tallied.scope = population.scope
)

select * from final
