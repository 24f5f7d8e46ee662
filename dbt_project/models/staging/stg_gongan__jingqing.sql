{#- Generated from contracts/gongan/jingqing.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 110警情（公安局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('gongan', 'jingqing') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('gongan', 'jingqing') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
