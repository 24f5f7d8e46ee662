{#- Generated from contracts/tongji/quhua.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 统计用区划和城乡划分代码（统计局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('tongji', 'quhua') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('tongji', 'quhua') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
