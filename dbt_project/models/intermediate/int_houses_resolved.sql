-- Every house-bearing record of every feed → the room (house_id of the house register) it resolves to.
-- 1. The register's own rows carry their house_id.
-- 2. Every address an `address_resolvable` rule judges (出租, 不动产, 网签, the persons' registers …):
--    its standard address key is looked up in the register.
-- 3. A house record whose address gives no key of the register (vague 某小区附近, a building that does not
--    exist, no address) falls back on its person and its own parts: the room of the register in the same
--    division whose 产权人 is the record's landlord / owner / buyer and whose building, unit and room agree
--    with what the record states (不动产单元号, 网签 幢号/房号; 出租: street or compound named in the address).
--    Only a single candidate resolves; two or more stay unresolved.
with

register as (
    select * from {{ ref('int_houses_deduplicated') }}
),

register_rows as (
    select * from {{ ref('stg_zhujian__fangwu') }}
),

addresses as (
    select * from {{ ref('int_addresses_resolved') }}
),

rentals as (
    select * from {{ ref('stg_gongan__chuzu') }}
),

realestate as (
    select * from {{ ref('stg_ziranziyuan__budongchan') }}
),

sales as (
    select * from {{ ref('stg_zhujian__wangqian') }}
),

house_by_key as (
    select address_key, min(house_id) as house_id
    from register
    where address_key is not null
    group by address_key
),

by_key as (
    select
        addresses.record_id,
        addresses.feed_id,
        addresses.address_column,
        addresses.address,
        addresses.address_key,
        house_by_key.house_id
    from addresses
    left join house_by_key on addresses.address_key = house_by_key.address_key
),

-- What each house feed says about its room besides the address text (null: not stated).
house_record_parts as (
    select
        record_id,
        std_division_code as division_code,
        std_landlord_id_number as person_id,
        cast(null as {{ dbt.type_string() }}) as cadastral_subzone,
        cast(null as {{ dbt.type_string() }}) as building,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ dbt.type_string() }}) as room,
        cast(null as {{ dbt.type_string() }}) as compound,
        {{ citylake.squish('house_address') }} as address_text
    from rentals
    union all
    select
        record_id,
        coalesce({{ citylake.realestate_unit_part('unit_id', 'division') }}, std_division_code) as division_code,
        std_owner_id_number as person_id,
        {{ citylake.realestate_unit_part('unit_id', 'cadastral_subzone') }} as cadastral_subzone,
        {{ citylake.realestate_unit_part('unit_id', 'building') }} as building,
        {{ citylake.realestate_unit_part('unit_id', 'unit') }} as unit,
        {{ citylake.realestate_unit_part('unit_id', 'room') }} as room,
        cast(null as {{ dbt.type_string() }}) as compound,
        cast(null as {{ dbt.type_string() }}) as address_text
    from realestate
    union all
    select
        record_id,
        std_division_code as division_code,
        std_buyer_id_number as person_id,
        cast(null as {{ dbt.type_string() }}) as cadastral_subzone,
        {{ citylake.address_number('building', '栋|幢|号楼') }} as building,
        -- 房号 `1-202` is unit 1, room 202; `102` has no unit.
        (case
            when {{ citylake.regexp_full_match(citylake.squish('room'), '[0-9]+-[0-9]+') }}
                then {{ citylake.regexp_extract(citylake.squish('room'), '^([0-9]+)-', 1) }}
            when {{ citylake.regexp_full_match(citylake.squish('room'), '[0-9]+(室|号|房)?') }} then ''
        end) as unit,
        {{ citylake.empty_as_null(citylake.regexp_extract(citylake.squish('room'), '([0-9]+)(?:室|号|房)?$', 1)) }} as room,
        {{ citylake.empty_as_null(citylake.squish('project')) }} as compound,
        cast(null as {{ dbt.type_string() }}) as address_text
    from sales
),

unresolved as (
    select house_record_parts.*
    from by_key
    inner join house_record_parts on by_key.record_id = house_record_parts.record_id
    where by_key.house_id is null
      and house_record_parts.person_id is not null
      and house_record_parts.division_code is not null
),

candidates as (
    select
        unresolved.record_id,
        register.house_id
    from unresolved
    inner join register
        on register.std_division_code = unresolved.division_code
        and register.std_owner_id_number = unresolved.person_id
    where (unresolved.cadastral_subzone is null
           or {{ dbt.right('register.grid_code', 6) }} = unresolved.cadastral_subzone)
      and (unresolved.building is null or register.std_building = unresolved.building)
      and (unresolved.unit is null or coalesce(register.std_unit, '') = unresolved.unit)
      and (unresolved.room is null or register.std_room = unresolved.room)
      and (unresolved.compound is null or register.compound = unresolved.compound)
      and (unresolved.address_text is null
           or {{ dbt.position('register.std_street', 'unresolved.address_text') }} > 0
           or {{ dbt.position('register.compound', 'unresolved.address_text') }} > 0)
),

by_person_and_parts as (
    select record_id, min(house_id) as house_id
    from candidates
    group by record_id
    having count(*) = 1
),

addressed as (
    select
        by_key.record_id,
        by_key.feed_id,
        by_key.address_column,
        by_key.address,
        by_key.address_key,
        coalesce(by_key.house_id, by_person_and_parts.house_id) as house_id,
        case
            when by_key.house_id is not null then 'address_key'
            when by_person_and_parts.house_id is not null then 'person_and_parts'
        end as resolution_method
    from by_key
    left join by_person_and_parts on by_key.record_id = by_person_and_parts.record_id
),

registered as (
    select
        record_id,
        'zhujian.fangwu' as feed_id,
        'house_id' as address_column,
        cast(house_id as {{ dbt.type_string() }}) as address,
        address_key,
        house_id,
        case when house_id is not null then 'house_id' end as resolution_method
    from register_rows
),

unioned as (
    select * from registered
    union all
    select * from addressed
),

final as (
    select
        unioned.*,
        unioned.house_id is not null as is_resolved
    from unioned
)

select * from final
