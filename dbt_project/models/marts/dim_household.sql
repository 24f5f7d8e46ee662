-- 户: one row per household. 户籍 households are the 户号 of the 户籍 register; floating residents have
-- no 户号, so the 流动 persons living in one room form one 流动 household keyed by that room.
with

persons as (
    select * from {{ ref('dim_person') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

members as (
    select
        case
            when population_type = '户籍' and household_id is not null then household_id
            when population_type = '流动' and house_id is not null then 'LD' || house_id
        end as household_id,
        case when population_type = '户籍' and household_id is not null then '户籍户' else '流动户' end
            as household_type,
        person_id,
        relation_to_head,
        is_deceased,
        address_key,
        house_id,
        division_code,
        grid_code
    from persons
    where population_type in ('户籍', '流动')
),

households as (
    select
        household_id,
        max(household_type) as household_type,
        min(case when relation_to_head = '户主' then person_id end) as head_person_id,
        count(*) as member_count,
        sum(case when is_deceased then 0 else 1 end) as living_member_count,
        min(address_key) as address_key,
        min(house_id) as house_id,
        min(division_code) as division_code,
        min(grid_code) as grid_code
    from members
    where household_id is not null
    group by household_id
),

final as (
    select
        households.*,
        divisions.district_name
    from households
    left join divisions on households.division_code = divisions.division_code
)

select * from final
