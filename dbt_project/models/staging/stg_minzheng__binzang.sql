{#- Generated from contracts/minzheng/binzang.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 殡葬火化（民政局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('minzheng', 'binzang') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('minzheng', 'binzang') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
