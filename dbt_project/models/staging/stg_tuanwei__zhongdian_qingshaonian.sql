{#- Generated from contracts/tuanwei/zhongdian_qingshaonian.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 重点青少年（团市委）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('tuanwei', 'zhongdian_qingshaonian') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('tuanwei', 'zhongdian_qingshaonian') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
