-- 实有房屋: one row per room (户室) of the house register, latest version, with its standard address key
-- and how many persons of dim_person live there.
with

houses as (
    select * from {{ ref('int_houses_deduplicated') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

residents as (
    select house_id, count(*) as resident_count
    from persons
    where house_id is not null
    group by house_id
),

final as (
    select
        houses.house_id,
        houses.address_key,
        houses.std_division_code as division_code,
        divisions.district_name,
        houses.std_street as street,
        houses.std_door_number as door_number,
        houses.compound,
        houses.std_building as building,
        houses.std_unit as unit,
        houses.std_room as room,
        houses.usage,
        houses.std_floor_area as floor_area,
        houses.std_is_rented as is_rented,
        houses.grid_code,
        houses.std_owner_id_number as owner_person_id,
        coalesce(residents.resident_count, 0) as resident_count,
        houses.std_updated_at as updated_date,
        houses.record_id
    from houses
    left join divisions on houses.std_division_code = divisions.division_code
    left join residents on houses.house_id = residents.house_id
)

select * from final
