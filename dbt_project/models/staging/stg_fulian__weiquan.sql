{#- Generated from contracts/fulian/weiquan.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 妇女儿童维权（妇联）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('fulian', 'weiquan') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('fulian', 'weiquan') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
