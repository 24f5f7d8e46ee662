-- One row per 村/社区 (village or community, 12-digit 统计用区划代码): its cameras by resource class and the
-- plan's rule "行政村至少5个监控点、自然村主要路口2个监控点" — 一类 points at the village itself (≥5 for a
-- 村委会), its 自然村 with ≥2 points at their crossings, and whether it meets both (雪亮工程覆盖).
with

divisions as (
    select * from {{ ref('dim_division') }}
),

cameras as (
    select * from {{ ref('dim_camera') }}
),

grids as (
    select * from {{ ref('dim_grid') }}
),

villages as (
    select * from divisions where division_level = 'village'
),

natural_villages as (
    select division_code as natural_village_code, village_code from divisions where division_level = 'natural_village'
),

natural_village_points as (
    select
        natural_villages.village_code,
        natural_villages.natural_village_code,
        count(cameras.device_id) as plan_points
    from natural_villages
    left join cameras
        on cameras.natural_village_code = natural_villages.natural_village_code and cameras.is_plan_point
    group by natural_villages.village_code, natural_villages.natural_village_code
),

natural_village_totals as (
    select
        village_code,
        count(*) as natural_villages,
        sum(case when plan_points >= 2 then 1 else 0 end) as natural_villages_compliant,
        sum(plan_points) as crossing_points
    from natural_village_points
    group by village_code
),

camera_totals as (
    select
        village_code,
        count(*) as cameras,
        sum(case when resource_class = '一类' then 1 else 0 end) as class_1_cameras,
        sum(case when resource_class = '二类' then 1 else 0 end) as class_2_cameras,
        sum(case when resource_class = '三类' then 1 else 0 end) as class_3_cameras,
        sum(case when is_plan_point and natural_village_code is null then 1 else 0 end) as village_points
    from cameras
    group by village_code
),

grid_totals as (
    select village_code, count(*) as grids from grids group by village_code
),

final as (
    select
        villages.division_code as village_code,
        villages.name as village_name,
        villages.village_kind,
        villages.district_code,
        villages.township_code,
        coalesce(grid_totals.grids, 0) as grids,
        coalesce(camera_totals.cameras, 0) as cameras,
        coalesce(camera_totals.class_1_cameras, 0) as class_1_cameras,
        coalesce(camera_totals.class_2_cameras, 0) as class_2_cameras,
        coalesce(camera_totals.class_3_cameras, 0) as class_3_cameras,
        coalesce(camera_totals.village_points, 0) as village_points,
        coalesce(natural_village_totals.natural_villages, 0) as natural_villages,
        coalesce(natural_village_totals.natural_villages_compliant, 0) as natural_villages_compliant,
        coalesce(natural_village_totals.crossing_points, 0) as crossing_points,
        case when villages.village_kind = '村委会' then coalesce(camera_totals.village_points, 0) >= 5 end
            as is_village_compliant,
        coalesce(natural_village_totals.natural_villages_compliant, 0)
            = coalesce(natural_village_totals.natural_villages, 0) as is_natural_villages_compliant,
        case when villages.village_kind = '村委会' then
            coalesce(camera_totals.village_points, 0) >= 5
            and coalesce(natural_village_totals.natural_villages_compliant, 0)
                = coalesce(natural_village_totals.natural_villages, 0)
        end as is_xueliang_covered
    from villages
    left join camera_totals
        on villages.division_code = camera_totals.village_code
    left join natural_village_totals
        on villages.division_code = natural_village_totals.village_code
    left join grid_totals
        on villages.division_code = grid_totals.village_code
)

select * from final
