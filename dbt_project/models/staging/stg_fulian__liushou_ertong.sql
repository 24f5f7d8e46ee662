{#- Generated from contracts/fulian/liushou_ertong.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 农村留守儿童（妇联）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('fulian', 'liushou_ertong') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('fulian', 'liushou_ertong') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
