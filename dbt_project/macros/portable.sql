{#- Engine-specific primitives. Models and the standardisation macros call only these, so moving to
    Spark means adding `spark__` implementations here, nothing else. Patterns are RE2/Java-compatible
    (no backreferences, no lookaround); Python strftime formats (`%Y-%m-%d`). -#}

{% macro sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- Group `group` of the first match of `pattern`, '' when there is no match. -#}
{% macro regexp_extract(expr, pattern, group=1) -%}
    {{ return(adapter.dispatch('regexp_extract', 'citylake')(expr, pattern, group)) }}
{%- endmacro %}
{% macro default__regexp_extract(expr, pattern, group) -%}
    regexp_extract({{ expr }}, {{ citylake.sql_string(pattern) }}, {{ group }})
{%- endmacro %}
{% macro spark__regexp_extract(expr, pattern, group) -%}
    regexp_extract({{ expr }}, {{ citylake.sql_string(pattern | replace('\\', '\\\\')) }}, {{ group }})
{%- endmacro %}

{#- Replace every match of `pattern` with the literal `replacement`. -#}
{% macro regexp_replace_all(expr, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'citylake')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ citylake.sql_string(pattern) }}, {{ citylake.sql_string(replacement) }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ citylake.sql_string(pattern | replace('\\', '\\\\')) }}, {{ citylake.sql_string(replacement) }})
{%- endmacro %}

{#- True when the whole of `expr` matches `pattern`. -#}
{% macro regexp_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'citylake')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regexp_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, {{ citylake.sql_string(pattern) }})
{%- endmacro %}
{% macro spark__regexp_full_match(expr, pattern) -%}
    ({{ expr }} rlike {{ citylake.sql_string(('^(?:' ~ pattern ~ ')$') | replace('\\', '\\\\')) }})
{%- endmacro %}

{#- Parse text with one strftime format; null when it does not parse (never an error). -#}
{% macro try_parse_timestamp(expr, format) -%}
    {{ return(adapter.dispatch('try_parse_timestamp', 'citylake')(expr, format)) }}
{%- endmacro %}
{% macro default__try_parse_timestamp(expr, format) -%}
    try_strptime({{ expr }}, {{ citylake.sql_string(format) }})
{%- endmacro %}
{% macro spark__try_parse_timestamp(expr, format) -%}
    try_to_timestamp({{ expr }}, {{ citylake.sql_string(citylake.java_datetime_format(format)) }})
{%- endmacro %}

{% macro try_parse_date(expr, format) -%}
    cast({{ citylake.try_parse_timestamp(expr, format) }} as date)
{%- endmacro %}

{% macro java_datetime_format(format) -%}
    {{- format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd')
              | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -}}
{%- endmacro %}

{#- Full-width (全角) digits, Latin letters, common punctuation and the ideographic space → half-width. -#}
{% macro halfwidth(expr) -%}
    {{ return(adapter.dispatch('halfwidth', 'citylake')(expr)) }}
{%- endmacro %}
{% macro default__halfwidth(expr) -%}
    translate({{ expr }},
        '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－（）＃．／　',
        '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-()#./ ')
{%- endmacro %}
{#- DuckDB's translate() costs ~6 µs a row with this many multi-byte characters; a regex test first
    (~0.2 µs) keeps it off the common, already half-width values. -#}
{% macro duckdb__halfwidth(expr) -%}
    (case when regexp_matches({{ expr }}, '[\x{FF01}-\x{FF5E}\x{3000}]')
        then {{ citylake.default__halfwidth(expr) }}
        else {{ expr }}
    end)
{%- endmacro %}

{#- Text with every kind of whitespace removed, half-width. -#}
{% macro squish(expr) -%}
    {{ citylake.regexp_replace_all(citylake.halfwidth(expr), '\\s+', '') }}
{%- endmacro %}

{#- Empty string → null. -#}
{% macro empty_as_null(expr) -%}
    nullif({{ expr }}, '')
{%- endmacro %}
