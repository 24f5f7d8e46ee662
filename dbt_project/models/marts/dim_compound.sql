-- 物业小区: one row per residential compound of the 住建 list (latest row per 小区编号), keyed to the
-- register's rooms by division, street and door number (the compound's gate address).
with

compounds as (
    select * from {{ ref('stg_zhujian__xiaoqu') }}
),

ranked as (
    select
        compounds.*,
        row_number() over (
            partition by compound_id
            order by loaded_at desc, source_row_number desc
        ) as version_rank
    from compounds
    where compound_id is not null
),

final as (
    select
        compound_id,
        name as compound_name,
        std_division_code as division_code,
        {{ citylake.empty_as_null(citylake.squish('street')) }} as street,
        {{ citylake.address_number('door_number', '号') }} as door_number,
        std_buildings as building_count,
        std_households as household_count,
        std_floor_area as floor_area,
        pm_company,
        std_pm_uscc as pm_uscc,
        {{ citylake.empty_as_null('pm_company') }} is not null as has_property_management,
        has_owners_committee = '是' as has_owners_committee,
        cast(extract(year from std_built_year) as {{ dbt.type_int() }}) as built_year,
        record_id
    from ranked
    where version_rank = 1
)

select * from final
