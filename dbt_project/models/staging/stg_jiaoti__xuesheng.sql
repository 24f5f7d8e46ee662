{#- Generated from contracts/jiaoti/xuesheng.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 在校学生（教体局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('jiaoti', 'xuesheng') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('jiaoti', 'xuesheng') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
