-- One row per camera and day of the 雪亮工程 status feed (GA/T 1400 APEStatus): online or not, and the share
-- of the day it was online (the daily online rate). Ids are repaired through int_cameras_device_ids; an
-- 是否在线 outside its code list is read from the online share (a camera online all day is 在线).
with

status as (
    select * from {{ ref('stg_xueliang__zaixian') }}
),

device_ids as (
    select * from {{ ref('int_cameras_device_ids') }}
),

resolved as (
    select
        device_ids.device_id,
        cast(status.std_reported_at as date) as status_date,
        status.is_online as is_online_as_sent,
        status.std_online_ratio as online_ratio,
        status.std_reported_at as reported_at,
        status.record_id,
        row_number() over (
            partition by device_ids.device_id, cast(status.std_reported_at as date)
            order by status.std_reported_at desc, status.loaded_at desc, (device_ids.resolution = 'as_sent') desc,
                status.source_row_number desc
        ) as version_rank
    from status
    inner join device_ids
        on status.device_id = device_ids.device_id_as_sent
    where device_ids.device_id is not null
        and status.std_reported_at is not null
),

final as (
    select
        {{ dbt.concat(['device_id', "'|'", dbt.cast('status_date', dbt.type_string())]) }} as camera_day_id,
        device_id,
        status_date,
        case is_online_as_sent
            when '1' then true
            when '2' then false
            else online_ratio >= 1
        end as is_online,
        online_ratio,
        reported_at,
        record_id as source_record_id
    from resolved
    where version_rank = 1
)

select * from final
