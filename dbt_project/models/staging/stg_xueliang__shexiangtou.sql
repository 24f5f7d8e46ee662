{#- Generated from contracts/xueliang/shexiangtou.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 视频监控点位目录（雪亮工程）: values as sent plus their standard forms.
with

renamed as (
    {{ lake_records('xueliang', 'shexiangtou') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('xueliang', 'shexiangtou') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
