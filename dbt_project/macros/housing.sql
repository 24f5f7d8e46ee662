{#- Housing helpers (int_houses_resolved, dim_house). -#}

{#- A zero-padded number part (不动产单元号 `02`, `0301`) → its digits without leading zeros, '' for all
    zeros (no unit), as the standard address key writes them. -#}
{% macro strip_leading_zeros(expr) -%}
    {{ citylake.regexp_replace_all(expr, '^0+', '') }}
{%- endmacro %}

{#- The parts of a 28-character 不动产单元号 (GB/T 37346, as the register builds it from the room):
    `part` one of division (6), cadastral_subzone (the grid's 6 digits after the division), building,
    unit ('' when none), room. Null when the number is not in the room form (F + 8 digits). -#}
{% macro realestate_unit_part(expr, part) -%}
    {%- set pat = '^([0-9]{6})([0-9]{6})[GJZ][ABCDEFLNSWXY]([0-9]{5})F([0-9]{2})([0-9]{2})([0-9]{4})$' -%}
    {%- set groups = {'division': 1, 'cadastral_subzone': 2, 'building': 4, 'unit': 5, 'room': 6} -%}
    {%- set raw = citylake.regexp_extract(citylake.squish(expr), pat, groups[part]) -%}
    {%- if part in ('division', 'cadastral_subzone') -%}
        {{ citylake.empty_as_null(raw) }}
    {%- elif part == 'unit' -%}
        (case when {{ raw }} = '' then null else {{ citylake.strip_leading_zeros(raw) }} end)
    {%- else -%}
        {{ citylake.empty_as_null(citylake.strip_leading_zeros(raw)) }}
    {%- endif -%}
{%- endmacro %}

{#- `value <comparator> target`, the comparator one of >=, >, <, <= (a column): null when value is null. -#}
{% macro meets_target(value, comparator, target) -%}
    (case {{ comparator }}
        when '>=' then {{ value }} >= {{ target }}
        when '>' then {{ value }} > {{ target }}
        when '<' then {{ value }} < {{ target }}
        when '<=' then {{ value }} <= {{ target }}
    end)
{%- endmacro %}
