{#- Generated from contracts/shengtai/tousu.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 环境投诉（生态环境局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('shengtai', 'tousu') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('shengtai', 'tousu') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
