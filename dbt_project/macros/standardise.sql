{#- Standardisation of values as sent: identity numbers, sex, phones, dates. Pure SQL expressions over
    the portable primitives (portable.sql); each returns null when the value cannot be made standard. -#}

{#- ISO 7064 MOD 11-2 check character of a 17-digit text (GB 11643-1999). -#}
{% macro id_check_char(base17) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    substr('10X98765432', cast(({%- for w in weights %} cast(substr({{ base17 }}, {{ loop.index }}, 1) as integer) * {{ w }}{% if not loop.last %} +{% endif %}{%- endfor %}) % 11 as integer) + 1, 1)
{%- endmacro %}

{#- 公民身份号码 → 18 characters, half-width, upper-case X. A 15-digit legacy number gets "19" before its
    year and a computed check character. Null unless the result has a correct check character and a real
    birth date (1900-01-01 .. today). The address code is not checked against the GB/T 2260 history:
    that era-aware test is the validity rule's (python-stdnum), not standardisation's. -#}
{% macro std_id_number(expr) -%}
    {%- set s = 'upper(' ~ citylake.squish(expr) ~ ')' -%}
    {%- set base17 -%}
        (case
            when {{ citylake.regexp_full_match(s, '[0-9]{15}') }}
                then substr({{ s }}, 1, 6) || '19' || substr({{ s }}, 7, 9)
            when {{ citylake.regexp_full_match(s, '[0-9]{17}[0-9X]') }}
                then substr({{ s }}, 1, 17)
        end)
    {%- endset -%}
    {%- set birth = citylake.try_parse_date('substr(' ~ base17 ~ ', 7, 8)', '%Y%m%d') -%}
    (case
        when {{ base17 }} is null then null
        when length({{ s }}) = 18 and substr({{ s }}, 18, 1) <> {{ citylake.id_check_char(base17) }} then null
        when {{ birth }} is null or {{ birth }} < date '1900-01-01' or {{ birth }} > current_date then null
        else {{ base17 }} || {{ citylake.id_check_char(base17) }}
    end)
{%- endmacro %}

{#- Birth date encoded in a standard 18-digit ID (pass std_id_number's result). -#}
{% macro id_birth_date(std_id) -%}
    {{ citylake.try_parse_date('substr(' ~ std_id ~ ', 7, 8)', '%Y%m%d') }}
{%- endmacro %}

{#- Sex encoded in a standard 18-digit ID: odd sequence digit = 男, even = 女. -#}
{% macro id_sex(std_id) -%}
    (case
        when {{ std_id }} is null then null
        when cast(substr({{ std_id }}, 17, 1) as integer) % 2 = 1 then '男'
        else '女'
    end)
{%- endmacro %}

{#- 性别 as sent (GB/T 2261.1 code 1/2, or 男/女) → 男/女. -#}
{% macro std_sex(expr) -%}
    (case {{ citylake.squish(expr) }}
        when '1' then '男' when '男' then '男' when '男性' then '男'
        when '2' then '女' when '女' then '女' when '女性' then '女'
    end)
{%- endmacro %}

{#- Mobile phone → 11 half-width digits (separators and a +86 / 86 prefix dropped). -#}
{% macro std_phone(expr) -%}
    {{ citylake.empty_as_null(citylake.regexp_extract(
        citylake.regexp_replace_all(citylake.halfwidth(expr), '[\\s()-]+', ''),
        '^(?:\\+?86)?(1[3-9][0-9]{9})$', 1)) }}
{%- endmacro %}

{#- Date as sent → date, trying each strftime format in turn. -#}
{% macro std_date(expr, formats=['%Y-%m-%d', '%Y%m%d', '%Y/%m/%d']) -%}
    {%- set s = citylake.empty_as_null('trim(' ~ citylake.halfwidth(expr) ~ ')') -%}
    coalesce({%- for f in formats %}{{ citylake.try_parse_date(s, f) }}{% if not loop.last %}, {% endif %}{%- endfor %}, cast(null as date))
{%- endmacro %}

{#- Timestamp as sent → timestamp (local time as sent, no zone), trying each format in turn. -#}
{% macro std_timestamp(expr, formats=['%Y-%m-%d %H:%M:%S']) -%}
    {%- set s = citylake.empty_as_null('trim(' ~ citylake.halfwidth(expr) ~ ')') -%}
    coalesce({%- for f in formats %}{{ citylake.try_parse_timestamp(s, f) }}{% if not loop.last %}, {% endif %}{%- endfor %}, cast(null as timestamp))
{%- endmacro %}

{#- Division code as sent → 6 half-width digits, or null. -#}
{% macro std_division_code(expr) -%}
    {{ citylake.empty_as_null(citylake.regexp_extract(citylake.squish(expr), '^([0-9]{6})$', 1)) }}
{%- endmacro %}

{#- Decimal number as sent (half-width or full-width digits, optional unit) → double, or null. -#}
{% macro std_number(expr) -%}
    cast({{ citylake.empty_as_null(citylake.regexp_extract(citylake.squish(expr), '^([0-9]+(?:\\.[0-9]+)?)', 1)) }} as double)
{%- endmacro %}

{#- 统一社会信用代码 as sent → 18 upper-case half-width characters of the GB 32100 alphabet (no I O S V Z),
    or null. The mod-31 check is the validity rule's (python-stdnum), not standardisation's. -#}
{% macro std_uscc(expr) -%}
    {{ citylake.empty_as_null(citylake.regexp_extract(
        'upper(' ~ citylake.squish(expr) ~ ')', '^([0-9A-HJ-NP-RTUW-Y]{18})$', 1)) }}
{%- endmacro %}

{#- A code of exactly `n` digits (GB/T 28181 device id: 20; 统计用区划代码: 12), half-width, or null. -#}
{% macro std_digits(expr, n) -%}
    {{ citylake.empty_as_null(citylake.regexp_extract(citylake.squish(expr), '^([0-9]{' ~ n ~ '})$', 1)) }}
{%- endmacro %}

{#- 机动车号牌 as sent → upper-case, half-width, without spaces or the separator dot (赣C·12345 → 赣C12345). -#}
{% macro std_plate(expr) -%}
    {{ citylake.empty_as_null(citylake.regexp_replace_all('upper(' ~ citylake.squish(expr) ~ ')', '[·.\\s-]+', '')) }}
{%- endmacro %}
