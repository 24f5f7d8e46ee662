{#- Generated from contracts/xueliang/zaixian.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 设备在线状态（雪亮工程）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('xueliang', 'zaixian') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('xueliang', 'zaixian') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
