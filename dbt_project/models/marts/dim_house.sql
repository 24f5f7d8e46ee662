-- 实有房屋: one row per room (户室) of the house register, latest version, with its building and compound
-- (物业小区), its owner (不动产登记 first, then 网签, then the register's 产权人), its rental registration
-- (出租房屋), its latest sales contract (网签) and its residents (dim_person). The other departments'
-- records reach the room through int_houses_resolved.
with

houses as (
    select * from {{ ref('int_houses_deduplicated') }}
),

resolved as (
    select * from {{ ref('int_houses_resolved') }}
),

realestate as (
    select * from {{ ref('stg_ziranziyuan__budongchan') }}
),

rentals as (
    select * from {{ ref('stg_gongan__chuzu') }}
),

sales as (
    select * from {{ ref('stg_zhujian__wangqian') }}
),

compounds as (
    select * from {{ ref('dim_compound') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

-- 不动产: the most recently updated registration of each room with a standard owner ID.
realestate_ranked as (
    select
        resolved.house_id,
        realestate.unit_id,
        realestate.certificate_no,
        realestate.std_owner_id_number,
        realestate.co_ownership,
        realestate.std_registered_date,
        row_number() over (
            partition by resolved.house_id
            order by
                case when realestate.std_owner_id_number is null then 1 else 0 end,
                realestate.std_updated_at desc nulls last,
                realestate.source_row_number desc
        ) as preference
    from realestate
    inner join resolved on realestate.record_id = resolved.record_id
    where resolved.house_id is not null
),

realestate_latest as (
    select * from realestate_ranked where preference = 1
),

-- 出租房屋: the most recently updated registration of each room.
rentals_ranked as (
    select
        resolved.house_id,
        rentals.rental_id,
        rentals.rental_use,
        rentals.risk_level,
        rentals.std_tenant_count,
        rentals.std_lease_end,
        row_number() over (
            partition by resolved.house_id
            order by rentals.std_updated_at desc nulls last, rentals.source_row_number desc
        ) as preference
    from rentals
    inner join resolved on rentals.record_id = resolved.record_id
    where resolved.house_id is not null
),

rentals_latest as (
    select * from rentals_ranked where preference = 1
),

-- 网签: the latest version of each contract (a delta feed), then each room's latest contract in force.
contract_versions as (
    select
        resolved.house_id,
        sales.contract_no,
        sales.status,
        sales.std_signed_date,
        sales.std_price,
        sales.std_buyer_id_number,
        sales.std_updated_at,
        row_number() over (
            partition by sales.contract_no
            order by sales.std_updated_at desc nulls last, sales.loaded_at desc, sales.source_row_number desc
        ) as version_rank
    from sales
    inner join resolved on sales.record_id = resolved.record_id
    where resolved.house_id is not null
),

contracts_in_force as (
    select
        contract_versions.*,
        row_number() over (
            partition by house_id
            order by std_signed_date desc nulls last, std_updated_at desc nulls last, contract_no desc
        ) as preference
    from contract_versions
    where version_rank = 1 and status <> '已注销'
),

contract_latest as (
    select * from contracts_in_force where preference = 1
),

house_by_key as (
    select address_key, min(house_id) as house_id
    from houses
    where address_key is not null
    group by address_key
),

residents as (
    select
        coalesce(persons.house_id, house_by_key.house_id) as house_id,
        count(*) as resident_count
    from persons
    left join house_by_key on persons.address_key = house_by_key.address_key
    where coalesce(persons.house_id, house_by_key.house_id) is not null
    group by coalesce(persons.house_id, house_by_key.house_id)
),

final as (
    select
        houses.house_id,
        houses.address_key,
        houses.std_division_code as division_code,
        divisions.district_name,
        houses.std_street as street,
        houses.std_door_number as door_number,
        compounds.compound_id,
        coalesce(compounds.compound_name, houses.compound) as compound,
        houses.std_building as building,
        houses.std_division_code || '|' || houses.std_street || '|' || houses.std_door_number
            || '|' || houses.std_building as building_key,
        houses.std_unit as unit,
        houses.std_room as room,
        houses.usage,
        houses.std_floor_area as floor_area,
        houses.grid_code,
        coalesce(realestate_latest.std_owner_id_number, contract_latest.std_buyer_id_number,
                 houses.std_owner_id_number) as owner_person_id,
        case
            when realestate_latest.std_owner_id_number is not null then '不动产登记'
            when contract_latest.std_buyer_id_number is not null then '商品房网签'
            when houses.std_owner_id_number is not null then '房屋登记'
        end as owner_source,
        houses.std_owner_id_number as register_owner_person_id,
        realestate_latest.unit_id as realestate_unit_id,
        realestate_latest.certificate_no,
        realestate_latest.co_ownership,
        realestate_latest.std_registered_date as registered_date,
        rentals_latest.rental_id is not null as has_rental_registration,
        coalesce(rentals_latest.rental_id is not null or houses.std_is_rented, false) as is_rented,
        houses.std_is_rented as is_rented_in_register,
        rentals_latest.rental_id,
        rentals_latest.rental_use,
        rentals_latest.risk_level as rental_risk_level,
        rentals_latest.std_tenant_count as tenant_count,
        contract_latest.contract_no as sales_contract_no,
        contract_latest.status as sales_contract_status,
        contract_latest.std_signed_date as sales_signed_date,
        contract_latest.std_price as sales_price,
        coalesce(residents.resident_count, 0) as resident_count,
        coalesce(residents.resident_count, 0) > 0 as is_occupied,
        houses.std_updated_at as updated_date,
        houses.record_id
    from houses
    left join divisions on houses.std_division_code = divisions.division_code
    left join compounds
        on houses.std_division_code = compounds.division_code
        and houses.std_street = compounds.street
        and houses.std_door_number = compounds.door_number
    left join realestate_latest on houses.house_id = realestate_latest.house_id
    left join rentals_latest on houses.house_id = rentals_latest.house_id
    left join contract_latest on houses.house_id = contract_latest.house_id
    left join residents on houses.house_id = residents.house_id
)

select * from final
