{#- Generated from contracts/jiaotong/cheliang.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 营运车辆（交通运输局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('jiaotong', 'cheliang') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('jiaotong', 'cheliang') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
