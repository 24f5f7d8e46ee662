-- 房屋: the latest housing-register workbook (one row per room as sent), with the room's standard address key.
with

renamed as (
    {{ lake_records('zhujian', 'fangwu') }}
),

standardised as (
    select
        renamed.*,
        {{ std_division_code('division_code') }} as std_division_code,
        {{ empty_as_null(squish('street')) }} as std_street,
        {{ address_number('door_number', '号') }} as std_door_number,
        {{ address_number('building', '栋|幢|号楼') }} as std_building,
        {{ address_number('unit', '单元') }} as std_unit,
        {{ address_number('room', '室|号|房') }} as std_room,
        {{ std_number('floor_area') }} as std_floor_area,
        {{ std_id_number('owner_id_number') }} as std_owner_id_number,
        (case {{ squish('is_rented') }} when '是' then true when '否' then false end) as std_is_rented,
        {{ std_date('updated_at', contract_formats('zhujian', 'fangwu', 'updated_at')) }} as std_updated_at,
        {{ address_key_from_parts('division_code', 'street', 'door_number', 'building', 'unit', 'room') }}
            as address_key
    from renamed
),

final as (
    select * from standardised
)

select * from final
