{#- Generated from contracts/minzheng/shehui_zuzhi.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 社会组织（民政局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('minzheng', 'shehui_zuzhi') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('minzheng', 'shehui_zuzhi') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
