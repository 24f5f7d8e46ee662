{#- Generated from contracts/sifa/jiaozheng.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 社区矫正对象（司法局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('sifa', 'jiaozheng') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('sifa', 'jiaozheng') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
