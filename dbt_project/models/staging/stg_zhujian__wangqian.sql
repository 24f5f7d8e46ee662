{#- Generated from contracts/zhujian/wangqian.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 商品房网签备案（住建局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('zhujian', 'wangqian') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('zhujian', 'wangqian') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
