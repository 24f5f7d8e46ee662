{#- Generated from contracts/gongan/hukou_biandong.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 户籍变动（公安局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('gongan', 'hukou_biandong') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('gongan', 'hukou_biandong') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
