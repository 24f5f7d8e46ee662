-- 户籍人口: the latest full export from the police front-end database, values as sent plus standard forms.
with

renamed as (
    {{ lake_records('gongan', 'hukou') }}
),

standardised as (
    select
        renamed.*,
        {{ std_id_number('id_number') }} as std_id_number,
        {{ std_sex('sex') }} as std_sex,
        {{ std_date('birth_date', contract_formats('gongan', 'hukou', 'birth_date')) }} as std_birth_date,
        {{ std_phone('phone') }} as std_phone,
        {{ std_division_code('division_code') }} as std_division_code,
        {{ std_date('registered_date', contract_formats('gongan', 'hukou', 'registered_date')) }} as std_registered_date,
        {{ std_timestamp('updated_at', contract_formats('gongan', 'hukou', 'updated_at')) }} as std_updated_at,
        {{ address_key_from_text('address', 'division_code') }} as address_key
    from renamed
),

final as (
    select * from standardised
)

select * from final
