{#- Generated from contracts/yingji/tufa.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 突发事件（应急管理局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('yingji', 'tufa') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('yingji', 'tufa') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
