{{ config(
    materialized='incremental',
    unique_key='camera_hour_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- One row per camera and hour of the 雪亮工程 capture statistics (GA/T 1400: faces, motor vehicles,
-- persons). Append-only upstream, so incremental: each run reads only the loads newer than the table's
-- latest. A 统计时段 typed past 23 h is read as the hour + 24 it was typed for (2026112125 → 2026-11-21
-- 01:00, the hour that day's delivery otherwise lacks) and one dated after its own delivery as the
-- previous year's, since a count cannot precede its hour.
with

captures as (
    select * from {{ ref('stg_xueliang__zhuapai') }}
    {% if is_incremental() %}
    where loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
),

device_ids as (
    select * from {{ ref('int_cameras_device_ids') }}
),

hours as (
    select
        captures.*,
        device_ids.device_id as resolved_device_id,
        device_ids.resolution as device_id_resolution,
        {{ citylake.squish('captures.stat_hour') }} as stat_hour_digits
    from captures
    inner join device_ids
        on captures.device_id = device_ids.device_id_as_sent
    where device_ids.device_id is not null
),

parsed as (
    select
        hours.*,
        case
            when {{ citylake.regexp_full_match('stat_hour_digits', '[0-9]{10}') }}
                and cast(substr(stat_hour_digits, 9, 2) as integer) between 24 and 47
                then {{ dbt.dateadd('hour', 'cast(substr(stat_hour_digits, 9, 2) as integer) - 24',
                                    citylake.try_parse_timestamp('substr(stat_hour_digits, 1, 8)', '%Y%m%d')) }}
            else std_stat_hour
        end as hour_as_read
    from hours
),

dated as (
    select
        parsed.*,
        case
            when hour_as_read > cast(loaded_at as timestamp) then {{ dbt.dateadd('year', -1, 'hour_as_read') }}
            else hour_as_read
        end as hour_start
    from parsed
),

ranked as (
    select
        dated.*,
        row_number() over (
            partition by resolved_device_id, hour_start
            order by loaded_at desc, (device_id_resolution = 'as_sent') desc, source_row_number desc
        ) as version_rank
    from dated
    where hour_start is not null
),

final as (
    select
        {{ dbt.concat(['resolved_device_id', "'|'", dbt.cast('hour_start', dbt.type_string())]) }} as camera_hour_id,
        resolved_device_id as device_id,
        hour_start,
        cast(hour_start as date) as capture_date,
        cast(std_face_count as integer) as faces,
        cast(std_vehicle_count as integer) as motor_vehicles,
        cast(std_person_count as integer) as persons,
        loaded_at,
        record_id as source_record_id
    from ranked
    where version_rank = 1
)

select * from final
