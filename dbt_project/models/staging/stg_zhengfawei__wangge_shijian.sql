{#- Generated from contracts/zhengfawei/wangge_shijian.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 网格事件（政法委）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('zhengfawei', 'wangge_shijian') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('zhengfawei', 'wangge_shijian') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
