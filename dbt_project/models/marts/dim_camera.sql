-- One row per camera (视频监控点位) of the 雪亮工程 catalogue by GB/T 28181 device id, its id decoded into
-- centre, industry, type and network with their Annex D names; the network decides the resource class
-- (一类 公安信息网, 二类 政务网, 三类 社会资源接入网); 一类 points are the plan's points (规划监控点).
with

cameras as (
    select * from {{ ref('int_cameras_located') }}
),

camera_codes as (
    select * from {{ ref('ref_camera_codes') }}
),

divisions as (
    select * from {{ ref('dim_division') }}
),

decoded as (
    select
        cameras.resolved_device_id as device_id,
        cameras.point_name as camera_name,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'centre') }} as centre_code,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'district') }} as district_code,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'unit') }} as unit_code,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'industry') }} as industry_code,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'type') }} as type_code,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'network') }} as network_code,
        {{ citylake.device_id_part('cameras.resolved_device_id', 'serial') }} as serial_number,
        case when cameras.resource_class in ('一类', '二类', '三类') then cameras.resource_class end
            as resource_class_as_sent,
        nullif(trim(cameras.owner), '') as owner,
        nullif(trim(cameras.manufacturer), '') as manufacturer,
        nullif(trim(cameras.model), '') as model,
        nullif(trim(cameras.address), '') as install_address,
        cameras.std_village_code as village_code,
        cameras.natural_village_code,
        cameras.natural_village_match,
        nullif(trim(cameras.grid_code), '') as grid_code,
        cameras.std_lat as lat,
        cameras.std_lon as lon,
        cameras.std_install_date as install_date,
        case cameras.status when 'ON' then true when 'OFF' then false end as is_online_in_catalogue,
        cameras.device_id as device_id_as_sent,
        cameras.device_id_resolution,
        cameras.record_id as source_record_id
    from cameras
),

final as (
    select
        decoded.device_id,
        decoded.camera_name,
        decoded.centre_code,
        decoded.district_code,
        decoded.unit_code,
        decoded.industry_code,
        industry.label as industry_label,
        decoded.type_code,
        device_type.label as type_label,
        decoded.network_code,
        network.label as network_label,
        coalesce(network.resource_class, decoded.resource_class_as_sent) as resource_class,
        coalesce(network.resource_class, decoded.resource_class_as_sent) = '一类' as is_plan_point,
        decoded.serial_number,
        decoded.owner,
        decoded.manufacturer,
        decoded.model,
        decoded.install_address,
        {{ dbt.concat(["substr(decoded.village_code, 1, 9)", "'000'"]) }} as township_code,
        decoded.village_code,
        villages.name as village_name,
        villages.village_kind,
        decoded.natural_village_code,
        decoded.natural_village_match,
        decoded.grid_code,
        decoded.lat,
        decoded.lon,
        decoded.install_date,
        decoded.is_online_in_catalogue,
        decoded.device_id_as_sent,
        decoded.device_id_resolution,
        decoded.source_record_id
    from decoded
    left join camera_codes as industry
        on industry.code_kind = 'industry' and decoded.industry_code = industry.code
    left join camera_codes as device_type
        on device_type.code_kind = 'type' and decoded.type_code = device_type.code
    left join camera_codes as network
        on network.code_kind = 'network' and decoded.network_code = network.code
    left join divisions as villages
        on decoded.village_code = villages.division_code
)

select * from final
