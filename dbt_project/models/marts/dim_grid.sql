-- One row per grid (网格) of the 政法委 grid platform: its latest version, placed in its 村/社区 (the
-- platform's 社区代码 when it is a known division, else the village its cameras are catalogued in) and
-- counted: active grid workers.
with

grids as (
    select * from {{ ref('stg_zhengfawei__wangge') }}
),

cameras as (
    select * from {{ ref('stg_xueliang__shexiangtou') }}
),

divisions as (
    select * from {{ ref('dim_division') }}
),

workers as (
    select * from {{ ref('dim_grid_worker') }}
),

counties as (
    select * from {{ ref('ref_divisions') }}
),

latest as (
    select
        grids.*,
        row_number() over (
            partition by grid_code
            order by std_updated_at desc nulls last, loaded_at desc, source_row_number desc
        ) as version_rank
    from grids
    where grid_code is not null
),

villages as (
    select division_code, name, village_kind from divisions where division_level = 'village'
),

camera_villages as (
    select
        grid_code,
        std_village_code as village_code,
        row_number() over (partition by grid_code order by count(*) desc, std_village_code) as village_rank
    from cameras
    where grid_code is not null and std_village_code in (select division_code from villages)
    group by grid_code, std_village_code
),

worker_counts as (
    select grid_code, count(*) as grid_workers
    from workers
    where is_active
    group by grid_code
),

placed as (
    select
        latest.*,
        coalesce(sent_village.division_code, camera_villages.village_code) as resolved_village_code
    from latest
    left join villages as sent_village
        on latest.std_village_code = sent_village.division_code
    left join camera_villages
        on latest.grid_code = camera_villages.grid_code and camera_villages.village_rank = 1
    where latest.version_rank = 1
),

final as (
    select
        placed.grid_code,
        nullif(trim(placed.grid_name), '') as grid_name,
        case
            when placed.grid_type in ('城市社区网格', '农村网格') then placed.grid_type
            when villages.village_kind = '社区居委会' then '城市社区网格'
            when villages.village_kind = '村委会' then '农村网格'
        end as grid_type,
        placed.resolved_village_code as village_code,
        villages.name as village_name,
        {{ dbt.concat(["substr(placed.resolved_village_code, 1, 9)", "'000'"]) }} as township_code,
        coalesce(counties.division_code, placed.std_division_code) as district_code,
        placed.std_household_count as households,
        placed.std_population as population,
        placed.std_area_km2 as area_km2,
        coalesce(placed.is_active, '1') = '1' as is_active,
        coalesce(worker_counts.grid_workers, 0) as grid_workers,
        coalesce(worker_counts.grid_workers, 0) >= 1 as has_grid_worker,
        placed.std_updated_at as updated_at
    from placed
    left join villages
        on placed.resolved_village_code = villages.division_code
    left join counties
        on substr(placed.grid_code, 1, 6) = counties.division_code
    left join worker_counts
        on placed.grid_code = worker_counts.grid_code
)

select * from final
