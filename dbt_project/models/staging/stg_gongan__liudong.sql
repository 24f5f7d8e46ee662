-- 流动人口暂住登记: the latest full export from the police front-end database, values as sent plus standard forms.
with

renamed as (
    {{ lake_records('gongan', 'liudong') }}
),

standardised as (
    select
        renamed.*,
        {{ std_id_number('id_number') }} as std_id_number,
        {{ std_sex('sex') }} as std_sex,
        {{ std_date('birth_date', contract_formats('gongan', 'liudong', 'birth_date')) }} as std_birth_date,
        {{ std_phone('phone') }} as std_phone,
        {{ std_division_code('division_code') }} as std_division_code,
        {{ std_date('registered_date', contract_formats('gongan', 'liudong', 'registered_date')) }} as std_registered_date,
        {{ std_date('valid_until', contract_formats('gongan', 'liudong', 'valid_until')) }} as std_valid_until,
        {{ std_timestamp('updated_at', contract_formats('gongan', 'liudong', 'updated_at')) }} as std_updated_at,
        {{ address_key_from_text('address', 'division_code') }} as address_key
    from renamed
),

final as (
    select * from standardised
)

select * from final
