{#- Generated from contracts/shichang/qiye.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 市场主体（企业）（市场监管局）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('shichang', 'qiye') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('shichang', 'qiye') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
