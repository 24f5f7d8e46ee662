{#- Generated from contracts/weijian/chusheng.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 出生医学证明（卫健委）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('weijian', 'chusheng') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('weijian', 'chusheng') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
