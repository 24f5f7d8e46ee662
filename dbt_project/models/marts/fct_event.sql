-- Governance events (事件) of every department: one row per event, its latest version, in one taxonomy,
-- with the lifecycle and the flags the indicators count, seen at the as-of date (macro events_as_of).
with

events as (
    select * from {{ ref('int_events_unioned') }}
),

taxonomy as (
    select * from {{ ref('ref_event_taxonomy') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

as_of as (
    select
        {{ events_as_of(ref('int_events_unioned')) }} as as_of_date,
        cast({{ events_as_of(ref('int_events_unioned')) }} as {{ dbt.type_timestamp() }}) as as_of_at
),

-- A division code counts only when it is a district of the city: a damaged one falls back on the grid
-- code's first six digits, then on the address's district.
located as (
    select
        events.*,
        coalesce(sent.division_code, of_grid.division_code, of_address.division_code) as division_code
    from events
    left join divisions as sent
        on events.division_code_as_sent = sent.division_code
    left join divisions as of_grid
        on substr(events.grid_code, 1, 6) = of_grid.division_code
    left join divisions as of_address
        on substr(events.address_key, 1, 6) = of_address.division_code
),

flagged as (
    select
        located.*,
        as_of.as_of_date,
        coalesce(located.is_closed_as_sent, false)
            or coalesce(located.closed_at <= as_of.as_of_at, false) as is_closed,
        coalesce(
            located.is_overdue_as_sent,
            case when located.due_at is not null
                then coalesce(located.closed_at, as_of.as_of_at) > located.due_at
            end
        ) as is_overdue,
        located.due_at <= as_of.as_of_at as is_due
    from located
    cross join as_of
),

final as (
    select
        flagged.event_id,
        flagged.source_feed,
        flagged.source_department,
        flagged.source_name,
        flagged.department_case_no,
        flagged.department_category,
        flagged.department_subcategory,
        coalesce(taxonomy.module_code, 'M99') as module_code,
        coalesce(taxonomy.module_name, '其他') as module_name,
        coalesce(taxonomy.event_type_code, 'M9900') as event_type_code,
        coalesce(taxonomy.event_type_name, '未归类') as event_type_name,
        taxonomy.event_type_code is not null as is_category_mapped,
        flagged.channel,
        flagged.reported_at,
        flagged.reported_date,
        flagged.dispatched_at,
        flagged.due_at,
        flagged.closed_at,
        flagged.evaluated_at,
        flagged.status,
        flagged.outcome,
        flagged.is_due,
        flagged.is_closed,
        flagged.is_overdue,
        coalesce(flagged.is_resolved_as_sent, case when flagged.outcome = '调解成功' then true end) as is_resolved,
        flagged.satisfaction,
        case
            when flagged.satisfaction in ('满意', '基本满意') then true
            when flagged.satisfaction = '不满意' then false
        end as is_satisfied,
        coalesce(flagged.is_homicide, false) as is_homicide,
        flagged.division_code,
        divisions.district_name,
        flagged.grid_code,
        flagged.address,
        flagged.address_key,
        flagged.as_of_date,
        flagged.updated_at,
        flagged.version_count,
        flagged.record_id,
        flagged.source_file,
        flagged.source_row_number
    from flagged
    left join taxonomy
        on flagged.source_feed = taxonomy.source_feed
        and flagged.department_category = taxonomy.department_category
    left join divisions
        on flagged.division_code = divisions.division_code
)

select * from final
