{#- Generated from contracts/wangxin/yuqing.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 网络舆情事件（网信办）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('wangxin', 'yuqing') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('wangxin', 'yuqing') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
