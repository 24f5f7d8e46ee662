-- 居住: one row per person and room (standard address key) the feeds record them living at, with the
-- period: from the earliest registered/record date to the end the feeds give (暂住 valid-until, death),
-- and whether it is the person's current address in dim_person.
{%- set not_residence = "('landlord', 'owner', 'buyer', 'operator', 'legal_rep', 'caller', 'party', 'complainant', 'reporter', 'applicant', 'petitioner', 'family')" %}
with

linked as (
    select * from {{ ref('int_persons_linked') }}
),

records as (
    select * from {{ ref('int_persons_unioned') }}
),

persons as (
    select * from {{ ref('dim_person') }}
),

houses as (
    select * from {{ ref('int_houses_deduplicated') }}
),

stays as (
    select
        linked.person_id,
        records.address_key,
        records.feed_id,
        records.population_type,
        coalesce(records.from_date, cast(records.updated_at as date)) as from_date,
        records.to_date,
        records.updated_at
    from linked
    inner join records on linked.person_record_id = records.person_record_id
    where records.address_key is not null
      and records.role not in {{ not_residence }}
),

per_room as (
    select
        person_id,
        address_key,
        min(from_date) as from_date,
        max(to_date) as to_date,
        max(updated_at) as last_recorded_at,
        max(population_type) as registration_type,
        count(*) as record_count
    from stays
    group by person_id, address_key
),

room_feeds as (
    select
        person_id,
        address_key,
        {{ listagg('feed_id', "','", 'order by feed_id') }} as source_feeds
    from (select distinct person_id, address_key, feed_id from stays) as f
    group by person_id, address_key
),

house_by_address as (
    select address_key, min(house_id) as house_id
    from houses
    where address_key is not null
    group by address_key
),

final as (
    select
        {{ dbt.hash(dbt.concat(['per_room.person_id', "'|'", 'per_room.address_key'])) }} as residence_id,
        per_room.person_id,
        per_room.address_key,
        house_by_address.house_id,
        per_room.registration_type,
        per_room.from_date,
        coalesce(per_room.to_date, persons.death_date) as to_date,
        per_room.last_recorded_at,
        coalesce(persons.address_key = per_room.address_key, false) as is_current,
        room_feeds.source_feeds,
        per_room.record_count
    from per_room
    inner join room_feeds
        on per_room.person_id = room_feeds.person_id and per_room.address_key = room_feeds.address_key
    inner join persons on per_room.person_id = persons.person_id
    left join house_by_address on per_room.address_key = house_by_address.address_key
)

select * from final
