{#- Codes of organisations and cameras: GB 32100 credit-code check characters and GB/T 28181 device-id
    fields. Pure SQL over dbt's cross-database macros, so the same expressions run on Spark. -#}

{#- GB 32100-2015 check character of the first 17 characters of a 统一社会信用代码 (mod 31 over the code
    alphabet without I O S V Z, weights 3^i mod 31); null when a character is outside the alphabet. -#}
{% macro uscc_check_char(first17) -%}
    {%- set alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY' -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    (case when {{ citylake.regexp_full_match(first17, '[0-9A-HJ-NP-RTUW-Y]{17}') }} then
        substr('{{ alphabet }}', cast((31 - ({%- for w in weights %}
            ({{ dbt.position("substr(" ~ first17 ~ ", " ~ loop.index ~ ", 1)", "'" ~ alphabet ~ "'") }} - 1) * {{ w }}{% if not loop.last %} +{% endif %}
        {%- endfor %}) % 31) % 31 as integer) + 1, 1)
    end)
{%- endmacro %}

{#- True when an 18-character credit code carries its right check character. -#}
{% macro uscc_is_valid(expr) -%}
    (length({{ expr }}) = 18 and substr({{ expr }}, 18, 1) = {{ citylake.uscc_check_char('substr(' ~ expr ~ ', 1, 17)') }})
{%- endmacro %}

{#- GB/T 28181 device id (20 digits) → its fields: centre code (8: province 2, city 2, county 2, unit 2),
    industry (2), type (3), network (1), serial (6). -#}
{% macro device_id_part(expr, part) -%}
    {%- set spans = {'centre': (1, 8), 'district': (1, 6), 'unit': (7, 2), 'industry': (9, 2), 'type': (11, 3),
                     'network': (14, 1), 'serial': (15, 6)} -%}
    substr({{ expr }}, {{ spans[part][0] }}, {{ spans[part][1] }})
{%- endmacro %}

{#- The id with the character at `position` (1-based) left out: what "a digit lost" makes of it. -#}
{% macro without_char(expr, position) -%}
    {%- if position == 1 -%}substr({{ expr }}, 2)
    {%- else -%}{{ dbt.concat(['substr(' ~ expr ~ ', 1, ' ~ (position - 1) ~ ')', 'substr(' ~ expr ~ ', ' ~ (position + 1) ~ ')']) }}
    {%- endif -%}
{%- endmacro %}

{#- 12-digit 统计用区划代码 under a county listed in `counties` (a relation or CTE with division_code), whose
    village part has its township (…000xxx is no code). -#}
{% macro is_stats_division_code(code, counties='counties') -%}
    ({{ code }} is not null and substr({{ code }}, 1, 6) in (select division_code from {{ counties }})
     and not (substr({{ code }}, 7, 3) = '000' and substr({{ code }}, 10, 3) <> '000'))
{%- endmacro %}

{#- Inside a GROUP BY: the value of `column` on the row whose `key_column` comes first in `keys` among the
    rows that have a value (one row per key and group). -#}
{% macro first_by_key(column, key_column, keys) -%}
    coalesce({%- for k in keys %}max(case when {{ key_column }} = {{ citylake.sql_string(k) }} then {{ column }} end){% if not loop.last %}, {% endif %}{%- endfor %})
{%- endmacro %}
