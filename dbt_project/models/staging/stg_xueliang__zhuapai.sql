{#- Generated from contracts/xueliang/zhuapai.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 抓拍数量统计（雪亮工程）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('xueliang', 'zhuapai') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('xueliang', 'zhuapai') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
