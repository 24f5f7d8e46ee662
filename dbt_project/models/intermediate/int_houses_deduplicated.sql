-- The house register reduced to one row per house_id: the latest version when a workbook repeats a room.
with

houses as (
    select * from {{ ref('stg_zhujian__fangwu') }}
),

ranked as (
    select
        houses.*,
        row_number() over (
            partition by house_id
            order by std_updated_at desc nulls last, source_row_number desc
        ) as version_rank
    from houses
    where house_id is not null
),

final as (
    select * from ranked where version_rank = 1
)

select * from final
