{#- Generated from contracts/jiaotong/congye.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 道路运输从业人员（交通运输局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('jiaotong', 'congye') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('jiaotong', 'congye') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
