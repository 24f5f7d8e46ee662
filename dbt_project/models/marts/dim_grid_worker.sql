-- One row per grid worker (网格员) of the 政法委 grid platform: the latest version served of each worker id,
-- identity standardised (the sex and birth date follow from a valid ID number before the form's 性别).
with

workers as (
    select * from {{ ref('stg_zhengfawei__wanggeyuan') }}
),

latest as (
    select
        workers.*,
        row_number() over (
            partition by worker_id
            order by std_updated_at desc nulls last, loaded_at desc, source_row_number desc
        ) as version_rank
    from workers
    where worker_id is not null
),

final as (
    select
        worker_id,
        grid_code,
        substr(grid_code, 1, 6) as district_code,
        nullif(trim(name), '') as name,
        std_id_number as id_number,
        coalesce({{ citylake.id_sex('std_id_number') }}, std_sex) as sex,
        {{ citylake.id_birth_date('std_id_number') }} as birth_date,
        std_phone as phone,
        case worker_type when '专职' then '专职网格员' when '兼职' then '兼职网格员' end as worker_role,
        std_appointed_date as appointed_date,
        coalesce(is_active, '在岗') = '在岗' as is_active,
        std_updated_at as updated_at,
        record_id as source_record_id
    from latest
    where version_rank = 1
)

select * from final
