{#- Generated from contracts/canlian/canji.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 残疾人（残联）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('canlian', 'canji') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('canlian', 'canji') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
