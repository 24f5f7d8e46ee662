{#- Generated from contracts/weijian/siwang.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 死亡医学证明（卫健委）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('weijian', 'siwang') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('weijian', 'siwang') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
