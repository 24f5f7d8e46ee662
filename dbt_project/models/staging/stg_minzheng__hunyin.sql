{#- Generated from contracts/minzheng/hunyin.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 婚姻登记（民政局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('minzheng', 'hunyin') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('minzheng', 'hunyin') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
