-- Every address a feed's `address_resolvable` rule judges, checked against the house register: the rule's
-- evidence. The list of (feed, staging model, address column) is generated from the contracts.
-- depends_on: {{ ref('stg_zhujian__fangwu') }}
with

houses as (
    select * from {{ ref('stg_zhujian__fangwu') }}
),

addresses as (
    {%- for a in staged_addresses() %}
    select
        record_id,
        '{{ a.contract_id }}' as feed_id,
        '{{ a.address }}' as address_column,
        cast({{ adapter.quote(a.address) }} as {{ dbt.type_string() }}) as address,
        {{ adapter.quote(a.address_key) }} as address_key
    from {{ ref(a.model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

house_keys as (
    select distinct address_key from houses where address_key is not null
),

final as (
    select
        addresses.record_id,
        addresses.feed_id,
        addresses.address_column,
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
