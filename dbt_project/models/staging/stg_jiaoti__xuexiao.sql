{#- Generated from contracts/jiaoti/xuexiao.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 学校（教体局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('jiaoti', 'xuexiao') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('jiaoti', 'xuexiao') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
