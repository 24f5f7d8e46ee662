{#- Generated from contracts/nongye/fanpin.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 防止返贫监测对象（农业农村局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('nongye', 'fanpin') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('nongye', 'fanpin') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
