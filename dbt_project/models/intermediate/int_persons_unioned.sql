-- Person records of every population feed whose ID could be standardised, in one shape. The next feeds
-- (births, insured, students …) add a union branch here; entity resolution reads this model.
with

hukou as (
    select * from {{ ref('stg_gongan__hukou') }}
),

liudong as (
    select * from {{ ref('stg_gongan__liudong') }}
),

unioned as (
    select
        record_id,
        'gongan.hukou' as feed_id,
        '户籍' as population_type,
        std_id_number as person_id,
        trim(name) as name,
        std_sex,
        std_birth_date,
        std_phone,
        household_id,
        address_key,
        std_division_code,
        grid_code,
        std_updated_at,
        loaded_at
    from hukou
    where std_id_number is not null

    union all

    select
        record_id,
        'gongan.liudong' as feed_id,
        '流动' as population_type,
        std_id_number as person_id,
        trim(name) as name,
        std_sex,
        std_birth_date,
        std_phone,
        cast(null as {{ dbt.type_string() }}) as household_id,
        address_key,
        std_division_code,
        grid_code,
        std_updated_at,
        loaded_at
    from liudong
    where std_id_number is not null
),

final as (
    select * from unioned
)

select * from final
