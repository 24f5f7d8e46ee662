{#- Generated from contracts/nongye/cun.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 行政村与自然村（农业农村局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('nongye', 'cun') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('nongye', 'cun') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
