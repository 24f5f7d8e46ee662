-- One row per grid (网格): its cameras by resource class and how they stood on the latest status day of the
-- 雪亮工程 status feed (cameras reporting, online, mean online share).
with

grids as (
    select * from {{ ref('dim_grid') }}
),

cameras as (
    select * from {{ ref('dim_camera') }}
),

status as (
    select * from {{ ref('fct_camera_status_daily') }}
),

latest_status as (
    select * from status where status_date = (select max(status_date) from status)
),

camera_totals as (
    select
        cameras.grid_code,
        count(*) as cameras,
        sum(case when cameras.resource_class = '一类' then 1 else 0 end) as class_1_cameras,
        sum(case when cameras.resource_class = '二类' then 1 else 0 end) as class_2_cameras,
        sum(case when cameras.resource_class = '三类' then 1 else 0 end) as class_3_cameras,
        sum(case when cameras.is_plan_point then 1 else 0 end) as plan_points,
        count(latest_status.device_id) as cameras_reporting,
        sum(case when latest_status.is_online then 1 else 0 end) as cameras_online,
        avg(latest_status.online_ratio) as mean_online_ratio,
        max(latest_status.status_date) as status_date
    from cameras
    left join latest_status
        on cameras.device_id = latest_status.device_id
    group by cameras.grid_code
),

final as (
    select
        grids.grid_code,
        grids.village_code,
        grids.district_code,
        coalesce(camera_totals.cameras, 0) as cameras,
        coalesce(camera_totals.class_1_cameras, 0) as class_1_cameras,
        coalesce(camera_totals.class_2_cameras, 0) as class_2_cameras,
        coalesce(camera_totals.class_3_cameras, 0) as class_3_cameras,
        coalesce(camera_totals.plan_points, 0) as plan_points,
        coalesce(camera_totals.cameras_reporting, 0) as cameras_reporting,
        coalesce(camera_totals.cameras_online, 0) as cameras_online,
        camera_totals.mean_online_ratio,
        camera_totals.status_date
    from grids
    left join camera_totals
        on grids.grid_code = camera_totals.grid_code
)

select * from final
