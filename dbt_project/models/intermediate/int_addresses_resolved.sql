-- Person addresses checked against the house register: the `address_resolvable` rule's evidence.
with

hukou as (
    select * from {{ ref('stg_gongan__hukou') }}
),

liudong as (
    select * from {{ ref('stg_gongan__liudong') }}
),

houses as (
    select * from {{ ref('stg_zhujian__fangwu') }}
),

addresses as (
    select record_id, 'gongan.hukou' as feed_id, address, address_key from hukou
    union all
    select record_id, 'gongan.liudong' as feed_id, address, address_key from liudong
),

house_keys as (
    select distinct address_key from houses where address_key is not null
),

final as (
    select
        addresses.record_id,
        addresses.feed_id,
        addresses.address,
        addresses.address_key,
        -- No address sent: not applicable (the rule passes empty values; `required` judges them).
        case
            when nullif(trim(addresses.address), '') is null then null
            else house_keys.address_key is not null
        end as is_resolved
    from addresses
    left join house_keys on addresses.address_key = house_keys.address_key
)

select * from final
