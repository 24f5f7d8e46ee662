{#- Generated from contracts/renshe/canbao.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 社会保险参保人员（人社局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('renshe', 'canbao') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('renshe', 'canbao') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
