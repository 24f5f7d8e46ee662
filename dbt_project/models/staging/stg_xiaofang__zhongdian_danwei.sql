{#- Generated from contracts/xiaofang/zhongdian_danwei.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 消防安全重点单位（消防救援支队）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('xiaofang', 'zhongdian_danwei') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('xiaofang', 'zhongdian_danwei') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
