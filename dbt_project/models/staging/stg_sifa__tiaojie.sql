{#- Generated from contracts/sifa/tiaojie.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 人民调解案件（司法局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('sifa', 'tiaojie') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('sifa', 'tiaojie') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
