-- Every division (county, township, 村/社区, 自然村) any feed names, one row per code and feed: the 统计局
-- table first, then the 农业农村局 村名录, then codes only seen on grids, cameras and schools (their
-- township and county follow from the 12-digit code), so a row the 统计局 table lost is still known.
with

quhua as (
    select * from {{ ref('stg_tongji__quhua') }}
),

cun as (
    select * from {{ ref('stg_nongye__cun') }}
),

grids as (
    select * from {{ ref('stg_zhengfawei__wangge') }}
),

cameras as (
    select * from {{ ref('stg_xueliang__shexiangtou') }}
),

schools as (
    select * from {{ ref('stg_jiaoti__xuexiao') }}
),

counties as (
    select * from {{ ref('ref_divisions') }}
),


quhua_rows as (
    select
        std_code as division_code,
        case level when '3' then 'county' when '4' then 'township' when '5' then 'village' end as division_level,
        nullif(trim(name), '') as name,
        case when urban_rural_code in ('111', '112', '121', '122', '123', '210', '220') then urban_rural_code end
            as urban_rural_code,
        cast(null as {{ dbt.type_string() }}) as township_name,
        cast(null as double) as households,
        cast(null as double) as population,
        cast(null as double) as lat,
        cast(null as double) as lon,
        'tongji.quhua' as source_feed,
        1 as source_priority
    from quhua
    where {{ citylake.is_stats_division_code('std_code') }}
        and level in ('3', '4', '5')
),

cun_rows as (
    select
        {{ citylake.squish('village_code') }} as division_code,
        case length({{ citylake.squish('village_code') }}) when 12 then 'village' else 'natural_village' end
            as division_level,
        nullif(trim(name), '') as name,
        cast(null as {{ dbt.type_string() }}) as urban_rural_code,
        nullif(trim(township), '') as township_name,
        std_households as households,
        std_population as population,
        std_lat as lat,
        std_lon as lon,
        'nongye.cun' as source_feed,
        2 as source_priority
    from cun
    where {{ citylake.regexp_full_match(citylake.squish('village_code'), '[0-9]{12}|[0-9]{14}') }}
        and {{ citylake.is_stats_division_code('substr(' ~ citylake.squish('village_code') ~ ', 1, 12)') }}
),

seen_villages as (
    select std_village_code as division_code, 'zhengfawei.wangge' as source_feed,
        nullif({{ citylake.regexp_extract('grid_name', '^(.+)第[0-9]+网格$') }}, '') as name
    from grids
    union all
    select std_village_code, 'xueliang.shexiangtou', cast(null as {{ dbt.type_string() }}) from cameras
    union all
    select std_village_code, 'jiaoti.xuexiao', cast(null as {{ dbt.type_string() }}) from schools
),

seen_rows as (
    select
        division_code,
        'village' as division_level,
        max(name) as name,
        cast(null as {{ dbt.type_string() }}) as urban_rural_code,
        cast(null as {{ dbt.type_string() }}) as township_name,
        cast(null as double) as households,
        cast(null as double) as population,
        cast(null as double) as lat,
        cast(null as double) as lon,
        source_feed,
        3 as source_priority
    from seen_villages
    where {{ citylake.is_stats_division_code('division_code') }}
        and substr(division_code, 10, 3) <> '000'
    group by division_code, source_feed
),

villages_so_far as (
    select * from quhua_rows
    union all
    select * from cun_rows
    union all
    select * from seen_rows
),

implied_townships as (
    select
        {{ dbt.concat(['substr(division_code, 1, 9)', "'000'"]) }} as division_code,
        'township' as division_level,
        max(township_name) as name,
        cast(null as {{ dbt.type_string() }}) as urban_rural_code,
        cast(null as {{ dbt.type_string() }}) as township_name,
        cast(null as double) as households,
        cast(null as double) as population,
        cast(null as double) as lat,
        cast(null as double) as lon,
        'implied' as source_feed,
        4 as source_priority
    from villages_so_far
    where division_level in ('village', 'natural_village')
    group by {{ dbt.concat(['substr(division_code, 1, 9)', "'000'"]) }}
),

implied_counties as (
    select
        {{ dbt.concat(['counties.division_code', "'000000'"]) }} as division_code,
        'county' as division_level,
        counties.district_name as name,
        cast(null as {{ dbt.type_string() }}) as urban_rural_code,
        cast(null as {{ dbt.type_string() }}) as township_name,
        cast(null as double) as households,
        cast(null as double) as population,
        cast(null as double) as lat,
        cast(null as double) as lon,
        'implied' as source_feed,
        4 as source_priority
    from counties
    where counties.division_code in (select distinct substr(division_code, 1, 6) from villages_so_far)
),

final as (
    select * from villages_so_far
    union all
    select * from implied_townships
    union all
    select * from implied_counties
)

select * from final
