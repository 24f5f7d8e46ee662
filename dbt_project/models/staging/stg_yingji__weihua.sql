{#- Generated from contracts/yingji/weihua.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 危化企业（应急管理局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('yingji', 'weihua') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('yingji', 'weihua') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
