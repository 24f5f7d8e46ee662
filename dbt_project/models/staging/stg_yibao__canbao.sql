{#- Generated from contracts/yibao/canbao.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 医保参保人员（医保局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('yibao', 'canbao') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('yibao', 'canbao') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
