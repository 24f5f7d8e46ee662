{#- Generated from contracts/weijian/jingshen.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 严重精神障碍患者（卫健委）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('weijian', 'jingshen') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('weijian', 'jingshen') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
