{#- Generated from contracts/renshe/jiuye.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 就业登记（人社局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('renshe', 'jiuye') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('renshe', 'jiuye') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
