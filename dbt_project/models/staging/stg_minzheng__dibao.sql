{#- Generated from contracts/minzheng/dibao.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 低保特困对象（民政局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('minzheng', 'dibao') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('minzheng', 'dibao') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
