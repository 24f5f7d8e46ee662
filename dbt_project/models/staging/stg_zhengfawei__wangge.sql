{#- Generated from contracts/zhengfawei/wangge.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 网格（政法委）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('zhengfawei', 'wangge') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('zhengfawei', 'wangge') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
