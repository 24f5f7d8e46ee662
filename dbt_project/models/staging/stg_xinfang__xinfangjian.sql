{#- Generated from contracts/xinfang/xinfangjian.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 信访件（信访局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('xinfang', 'xinfangjian') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('xinfang', 'xinfangjian') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
