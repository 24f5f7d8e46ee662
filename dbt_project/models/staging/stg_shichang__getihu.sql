{#- Generated from contracts/shichang/getihu.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 个体工商户（市场监管局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('shichang', 'getihu') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('shichang', 'getihu') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
