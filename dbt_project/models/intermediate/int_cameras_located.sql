-- The camera catalogue reduced to one row per valid device id (mistyped ids repaired through
-- int_cameras_device_ids, repeated rows dropped), each camera placed in its 村/社区, grid and — for the
-- plan's crossing points — its 自然村: by the point's name ("<村><自然村>路口NNN"), or, for a point whose
-- name was left out, by the 自然村 within 250 m (0.0025°) of it.
with

catalogue as (
    select * from {{ ref('stg_xueliang__shexiangtou') }}
),

device_ids as (
    select * from {{ ref('int_cameras_device_ids') }}
),

divisions as (
    select * from {{ ref('dim_division') }}
),

natural_villages as (
    select division_code as natural_village_code, village_code, name, lat, lon
    from divisions
    where division_level = 'natural_village'
),

resolved as (
    select
        catalogue.*,
        device_ids.device_id as resolved_device_id,
        device_ids.resolution as device_id_resolution,
        nullif(trim(catalogue.name), '') as point_name,
        nullif({{ citylake.regexp_extract('trim(catalogue.name)', '^(.+)路口[0-9]+$') }}, '') as crossing_label,
        row_number() over (
            partition by device_ids.device_id
            order by catalogue.loaded_at desc, (device_ids.resolution = 'as_sent') desc, catalogue.source_row_number
        ) as version_rank
    from catalogue
    inner join device_ids
        on catalogue.device_id = device_ids.device_id_as_sent
    where device_ids.device_id is not null
),

cameras as (
    select * from resolved where version_rank = 1
),

by_name as (
    select
        cameras.resolved_device_id,
        natural_villages.natural_village_code,
        row_number() over (
            partition by cameras.resolved_device_id
            order by length(natural_villages.name) desc, natural_villages.natural_village_code
        ) as match_rank
    from cameras
    inner join natural_villages
        on cameras.std_village_code = natural_villages.village_code
        and {{ dbt.right('cameras.crossing_label', 'length(natural_villages.name)') }} = natural_villages.name
    where cameras.crossing_label is not null
),

by_place as (
    select
        cameras.resolved_device_id,
        natural_villages.natural_village_code,
        row_number() over (
            partition by cameras.resolved_device_id
            order by (cameras.std_lat - natural_villages.lat) * (cameras.std_lat - natural_villages.lat)
                + (cameras.std_lon - natural_villages.lon) * (cameras.std_lon - natural_villages.lon),
                natural_villages.natural_village_code
        ) as match_rank
    from cameras
    inner join natural_villages
        on cameras.std_village_code = natural_villages.village_code
    where cameras.point_name is null
        and (cameras.std_lat - natural_villages.lat) * (cameras.std_lat - natural_villages.lat)
            + (cameras.std_lon - natural_villages.lon) * (cameras.std_lon - natural_villages.lon) <= 0.0025 * 0.0025
),

final as (
    select
        cameras.*,
        coalesce(by_name.natural_village_code, by_place.natural_village_code) as natural_village_code,
        case
            when by_name.natural_village_code is not null then 'name'
            when by_place.natural_village_code is not null then 'place'
        end as natural_village_match
    from cameras
    left join by_name
        on cameras.resolved_device_id = by_name.resolved_device_id and by_name.match_rank = 1
    left join by_place
        on cameras.resolved_device_id = by_place.resolved_device_id and by_place.match_rank = 1
)

select * from final
