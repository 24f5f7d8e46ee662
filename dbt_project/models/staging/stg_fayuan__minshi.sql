{#- Generated from contracts/fayuan/minshi.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 民商事诉讼案件（中级人民法院）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('fayuan', 'minshi') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('fayuan', 'minshi') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
