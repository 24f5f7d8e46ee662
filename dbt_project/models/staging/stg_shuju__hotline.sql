-- 12345热线工单: every version of every work order pulled from the API (a later update re-sends the order).
with

renamed as (
    {{ lake_records('shuju', 'hotline') }}
),

standardised as (
    select
        renamed.*,
        {{ std_timestamp('called_at', contract_formats('shuju', 'hotline', 'called_at')) }} as std_called_at,
        {{ std_phone('caller_phone') }} as std_caller_phone,
        {{ std_division_code('division_code') }} as std_division_code,
        {{ std_timestamp('dispatched_at', contract_formats('shuju', 'hotline', 'dispatched_at')) }} as std_dispatched_at,
        {{ std_timestamp('closed_at', contract_formats('shuju', 'hotline', 'closed_at')) }} as std_closed_at,
        {{ std_timestamp('updated_at', contract_formats('shuju', 'hotline', 'updated_at')) }} as std_updated_at,
        {{ address_key_from_text('address', 'division_code') }} as address_key
    from renamed
),

final as (
    select * from standardised
)

select * from final
