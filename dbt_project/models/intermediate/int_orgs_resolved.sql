-- Each organisation record with the credit code it stands for. A valid code (GB 32100 check character) is
-- itself. An invalid one is resolved, in order, to: the one valid code any feed sends that differs from it
-- in exactly one character (a typo, a letter the code alphabet excludes, a wrong check character); the one
-- code its intact check character admits in place of a letter the alphabet excludes; the one valid code
-- sent under the same name; its first 17 characters with their check character recomputed
-- (the check character lost or mistyped, the organisation in no other feed).
with

records as (
    select * from {{ ref('int_orgs_unioned') }}
),

checked as (
    select
        records.*,
        coalesce({{ citylake.uscc_is_valid('uscc_cleaned') }}, false) as is_valid_as_sent
    from records
),

known as (
    select distinct uscc_cleaned as uscc from checked where is_valid_as_sent
),

known_names as (
    select name, min(uscc_cleaned) as uscc
    from checked
    where is_valid_as_sent and name is not null
    group by name
    having count(distinct uscc_cleaned) = 1
),

broken as (
    select distinct uscc_cleaned, name from checked where not is_valid_as_sent and uscc_cleaned is not null
),

one_char_off as (
    {%- for p in range(1, 19) %}
    select broken.uscc_cleaned, known.uscc
    from broken
    inner join known
        on {{ citylake.without_char('known.uscc', p) }} = {{ citylake.without_char('broken.uscc_cleaned', p) }}
    where length(broken.uscc_cleaned) = 18
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

one_char_unique as (
    select uscc_cleaned, min(uscc) as uscc
    from one_char_off
    group by uscc_cleaned
    having count(distinct uscc) = 1
),

alphabet as (
    {%- for ch in '0123456789ABCDEFGHJKLMNPQRTUWXY' %}
    select '{{ ch }}' as code_char{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

one_letter_replaced as (
    -- one character outside the code alphabet (an O for a 0 …): the check character, intact, admits
    -- exactly one character of the alphabet in its place
    {%- for p in range(1, 18) %}
    select broken.uscc_cleaned, {{ dbt.concat(['substr(broken.uscc_cleaned, 1, ' ~ (p - 1) ~ ')', 'alphabet.code_char',
                                                'substr(broken.uscc_cleaned, ' ~ (p + 1) ~ ')']) }} as uscc
    from broken
    cross join alphabet
    where length(broken.uscc_cleaned) = 18
        and not {{ citylake.regexp_full_match('substr(broken.uscc_cleaned, ' ~ p ~ ', 1)', '[0-9A-HJ-NP-RTUW-Y]') }}
        and {{ citylake.regexp_full_match(citylake.without_char('broken.uscc_cleaned', p), '[0-9A-HJ-NP-RTUW-Y]{17}') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

letter_fixed as (
    select uscc_cleaned, min(uscc) as uscc
    from one_letter_replaced
    where {{ citylake.uscc_is_valid('uscc') }}
    group by uscc_cleaned
    having count(distinct uscc) = 1
),

resolved as (
    select
        checked.*,
        case
            when checked.is_valid_as_sent then checked.uscc_cleaned
            when one_char_unique.uscc is not null then one_char_unique.uscc
            when letter_fixed.uscc is not null then letter_fixed.uscc
            when known_names.uscc is not null then known_names.uscc
            when length(checked.uscc_cleaned) in (17, 18)
                then {{ dbt.concat(['substr(checked.uscc_cleaned, 1, 17)',
                                    citylake.uscc_check_char('substr(checked.uscc_cleaned, 1, 17)')]) }}
        end as uscc,
        case
            when checked.is_valid_as_sent then 'as_sent'
            when one_char_unique.uscc is not null then 'one_character'
            when letter_fixed.uscc is not null then 'excluded_letter'
            when known_names.uscc is not null then 'name'
            when length(checked.uscc_cleaned) in (17, 18)
                and {{ citylake.uscc_check_char('substr(checked.uscc_cleaned, 1, 17)') }} is not null
                then 'check_character'
            else 'unresolved'
        end as uscc_resolution
    from checked
    left join one_char_unique
        on checked.uscc_cleaned = one_char_unique.uscc_cleaned
    left join letter_fixed
        on checked.uscc_cleaned = letter_fixed.uscc_cleaned
    left join known_names
        on checked.name = known_names.name
),

final as (
    select * from resolved
)

select * from final
