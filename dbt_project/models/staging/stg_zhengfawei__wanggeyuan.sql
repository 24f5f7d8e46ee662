{#- Generated from contracts/zhengfawei/wanggeyuan.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 网格员（政法委）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('zhengfawei', 'wanggeyuan') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('zhengfawei', 'wanggeyuan') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
