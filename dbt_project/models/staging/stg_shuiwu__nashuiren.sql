{#- Generated from contracts/shuiwu/nashuiren.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 纳税人（税务局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('shuiwu', 'nashuiren') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('shuiwu', 'nashuiren') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
