-- One row per division of 宜春市 below the city: 县 (county), 乡镇/街道 (township), 村/社区 (village) by
-- 12-digit 统计用区划代码, and 自然村 (natural village) by its 14-digit code. Each attribute comes from the
-- first feed that has it: 统计局, then 农业农村局, then the grids and cameras that name the code.
{%- set urban_rural = {'111': '主城区', '112': '城乡结合区', '121': '镇中心区', '122': '镇乡结合区', '123': '特殊区域',
                       '210': '乡中心区', '220': '村庄'} %}
with

divisions as (
    select * from {{ ref('int_divisions_unioned') }}
),

by_code as (
    select
        division_code,
        max(division_level) as division_level,
        max(case when source_feed = 'tongji.quhua' then name end) as quhua_name,
        max(case when source_feed = 'nongye.cun' then name end) as cun_name,
        max(case when source_priority >= 3 then name end) as other_name,
        max(urban_rural_code) as urban_rural_code,
        max(households) as households,
        max(population) as registered_population,
        max(lat) as lat,
        max(lon) as lon,
        min(source_priority) as best_source_priority
    from divisions
    group by division_code
),

feeds as (
    select
        division_code,
        {{ dbt.listagg('source_feed', "','", "order by source_feed") }} as source_feeds
    from (select distinct division_code, source_feed from divisions where source_feed <> 'implied') as distinct_feeds
    group by division_code
),

joined as (
    select
        by_code.*,
        feeds.source_feeds
    from by_code
    left join feeds
        on by_code.division_code = feeds.division_code
),

final as (
    select
        division_code,
        division_level,
        case division_level when 'county' then '县级' when 'township' then '乡级' when 'village' then '村级'
            else '自然村' end as division_level_label,
        coalesce(quhua_name, cun_name, other_name) as name,
        case division_level
            when 'county' then '360900000000'
            when 'township' then {{ dbt.concat(["substr(division_code, 1, 6)", "'000000'"]) }}
            when 'village' then {{ dbt.concat(["substr(division_code, 1, 9)", "'000'"]) }}
            else substr(division_code, 1, 12)
        end as parent_code,
        substr(division_code, 1, 6) as district_code,
        case when division_level <> 'county' then {{ dbt.concat(["substr(division_code, 1, 9)", "'000'"]) }} end
            as township_code,
        case when division_level in ('village', 'natural_village') then substr(division_code, 1, 12) end
            as village_code,
        case when division_level <> 'county' then
            case
                when substr(division_code, 7, 3) < '100' then '街道'
                when substr(division_code, 7, 3) < '200' then '镇'
                else '乡'
            end
        end as township_kind,
        case when division_level = 'village' then
            case when substr(division_code, 10, 3) < '200' then '社区居委会' else '村委会' end
        end as village_kind,
        case when division_level = 'village' then substr(division_code, 10, 3) < '200' end as is_urban,
        urban_rural_code,
        case urban_rural_code
            {%- for code, label in urban_rural.items() %}
            when '{{ code }}' then '{{ label }}'
            {%- endfor %}
        end as urban_rural_label,
        households,
        registered_population,
        lat,
        lon,
        best_source_priority = 1 as is_in_stats_table,
        source_feeds
    from joined
)

select * from final
