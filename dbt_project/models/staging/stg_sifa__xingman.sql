{#- Generated from contracts/sifa/xingman.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 刑满释放人员（司法局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('sifa', 'xingman') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('sifa', 'xingman') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
