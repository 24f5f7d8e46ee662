{#- Generated from contracts/zhujian/xiaoqu.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 物业小区（住建局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('zhujian', 'xiaoqu') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('zhujian', 'xiaoqu') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
