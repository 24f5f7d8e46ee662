{#- Generated from contracts/tuiyi/junren.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 退役军人（退役军人事务局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('tuiyi', 'junren') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('tuiyi', 'junren') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
