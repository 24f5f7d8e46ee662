{#- Generated from contracts/gongan/xidu.yaml by `citylake contracts dbt-staging`:
    change the contract and regenerate, do not edit. -#}
-- 吸毒人员（公安局）: values as sent plus their standard forms.
-- depends_on: {{ ref('ref_divisions') }}
with

renamed as (
    {{ lake_records('gongan', 'xidu') }}
),

standardised as (
    select
        renamed.*
        {{ standard_columns('gongan', 'xidu') }}
    from renamed
),

final as (
    select * from standardised
)

select * from final
