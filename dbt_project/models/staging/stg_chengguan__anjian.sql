{#- Generated from contracts/chengguan/anjian.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 数字城管案件（城管局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('chengguan', 'anjian') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('chengguan', 'anjian') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
