{#- Generated from contracts/xiaofang/huozai.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 火灾（消防救援支队）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('xiaofang', 'huozai') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('xiaofang', 'huozai') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
