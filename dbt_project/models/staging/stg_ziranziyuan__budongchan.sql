{#- Generated from contracts/ziranziyuan/budongchan.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 不动产登记（自然资源局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('ziranziyuan', 'budongchan') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('ziranziyuan', 'budongchan') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
