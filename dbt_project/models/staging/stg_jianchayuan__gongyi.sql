{#- Generated from contracts/jianchayuan/gongyi.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 公益诉讼线索（检察院）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('jianchayuan', 'gongyi') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('jianchayuan', 'gongyi') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
