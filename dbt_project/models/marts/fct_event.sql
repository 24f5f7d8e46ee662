-- Governance events: one row per event, latest version. This first cut holds the 12345 hotline work
-- orders; grid events, 110 incidents, petitions … join as further union branches with their own source.
with

hotline as (
    select * from {{ ref('stg_shuju__hotline') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

ranked as (
    select
        hotline.*,
        row_number() over (
            partition by work_order_id
            order by std_updated_at desc nulls last, loaded_at desc, source_row_number desc
        ) as version_rank,
        count(*) over (partition by work_order_id) as version_count
    from hotline
    where work_order_id is not null
),

latest as (
    select * from ranked where version_rank = 1
),

final as (
    select
        latest.work_order_id as event_id,
        '12345' as source,
        latest.category,
        latest.std_called_at as received_at,
        latest.std_dispatched_at as dispatched_at,
        latest.std_closed_at as closed_at,
        latest.status,
        latest.status in ('已办结', '已回访') as is_closed,
        latest.satisfaction,
        case
            when latest.satisfaction in ('满意', '基本满意') then true
            when latest.satisfaction = '不满意' then false
        end as is_satisfied,
        coalesce(latest.std_division_code, substr(latest.address_key, 1, 6)) as division_code,
        divisions.district_name,
        latest.address,
        latest.address_key,
        latest.handling_unit,
        latest.std_updated_at as updated_at,
        latest.version_count,
        latest.record_id
    from latest
    left join divisions
        on coalesce(latest.std_division_code, substr(latest.address_key, 1, 6)) = divisions.division_code
)

select * from final
