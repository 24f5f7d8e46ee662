{#- Generated from contracts/gongan/chuzu.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 出租房屋（公安局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('gongan', 'chuzu') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('gongan', 'chuzu') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
