-- 实有人口: one row per real person across the population feeds, keyed by the standard 18-digit ID.
-- A person registered both as resident and as floating is 户籍; the preferred record (户籍 first, then
-- the most recently updated) gives the attributes. Records without a standard ID are not here: they are
-- on the departments' correction lists.
with

persons as (
    select * from {{ ref('int_persons_unioned') }}
),

houses as (
    select * from {{ ref('int_houses_deduplicated') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

ranked as (
    select
        persons.*,
        row_number() over (
            partition by person_id
            order by
                case when population_type = '户籍' then 0 else 1 end,
                std_updated_at desc nulls last,
                loaded_at desc,
                record_id desc
        ) as preference
    from persons
),

preferred as (
    select * from ranked where preference = 1
),

person_feeds as (
    select distinct person_id, feed_id from persons
),

feeds as (
    select
        person_id,
        {{ listagg('feed_id', "','", 'order by feed_id') }} as source_feeds
    from person_feeds
    group by person_id
),

across_records as (
    select
        person_id,
        max(case when population_type = '户籍' then 1 else 0 end) = 1 as is_hukou,
        max(case when population_type = '流动' then 1 else 0 end) = 1 as is_floating,
        max(std_phone) as any_phone,
        count(*) as record_count
    from persons
    group by person_id
),

house_by_address as (
    select address_key, min(house_id) as house_id
    from houses
    where address_key is not null
    group by address_key
),

final as (
    select
        preferred.person_id,
        preferred.name,
        coalesce({{ id_sex('preferred.person_id') }}, preferred.std_sex) as sex,
        coalesce({{ id_birth_date('preferred.person_id') }}, preferred.std_birth_date) as birth_date,
        coalesce(preferred.std_phone, across_records.any_phone) as phone,
        preferred.population_type,
        preferred.household_id,
        preferred.address_key,
        house_by_address.house_id,
        coalesce(preferred.std_division_code, substr(preferred.address_key, 1, 6)) as division_code,
        divisions.district_name,
        preferred.grid_code,
        feeds.source_feeds,
        across_records.is_hukou,
        across_records.is_floating,
        across_records.record_count,
        preferred.record_id as preferred_record_id,
        preferred.std_updated_at as updated_at
    from preferred
    inner join across_records on preferred.person_id = across_records.person_id
    inner join feeds on preferred.person_id = feeds.person_id
    left join house_by_address on preferred.address_key = house_by_address.address_key
    left join divisions
        on coalesce(preferred.std_division_code, substr(preferred.address_key, 1, 6)) = divisions.division_code
)

select * from final
