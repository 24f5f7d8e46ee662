{#- Standard address key (docs/architecture.md §3):
        <6-digit division>|<street>|<door>|<building>|<unit>|<room>
    half-width digits in door/building/unit/room, '' for a missing unit; null when the address cannot be
    parsed or its district is not one of ref_divisions. The compound (小区) name is not part of the key:
    the same room is written with and without it. -#}

{#- 街路巷 + 门牌 + [小区] + 楼栋 (栋/幢/号楼) + [单元] + 户室 [室/号/房], after an optional
    江西省 / 宜春市 prefix and an optional district name. Groups: 1 district, 2 street, 3 door,
    4 building, 5 unit, 6 room. -#}
{% macro address_pattern() -%}
    {{- return('^(?:江西省?)?(?:宜春市)?((?:[^0-9]{1,6}?[区县市])?)([^0-9]+?)([0-9]+)号(?:.*?)([0-9]+)(?:栋|幢|号楼)(?:([0-9]+)单元)?([0-9]+)(?:室|号|房)?$') -}}
{%- endmacro %}

{#- The rows of ref_divisions, read when the model is compiled, so the lookups below become constant
    CASE expressions: a correlated subquery per row would stop DuckDB from pruning columns and costs
    seconds per million rows. Unit tests (fixture CTEs) and a not yet seeded warehouse get none and
    fall back to the subquery form. -#}
{% macro known_division_rows(divisions) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}{{ return(none) }}{%- endif -%}
    {%- if load_relation(divisions) is none -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query('select division_code, district_name from ' ~ divisions ~ ' order by division_code') -%}
    {{ return(result.rows) }}
{%- endmacro %}

{#- Division code of a district name (袁州区 → 360902), null when it is not one of ref_divisions. -#}
{% macro division_code_of_name(name_expr, divisions) -%}
    {%- set rows = citylake.known_division_rows(divisions) -%}
    {%- if rows is none -%}
        (select d.known_code
         from (select division_code as known_code, district_name as known_name from {{ divisions }}) as d
         where d.known_name = {{ name_expr }})
    {%- elif rows | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        (case {{ name_expr }}
        {%- for row in rows %} when {{ citylake.sql_string(row[1]) }} then {{ citylake.sql_string(row[0]) }}{% endfor %} end)
    {%- endif -%}
{%- endmacro %}

{#- The code itself when it is one of ref_divisions, else null. -#}
{% macro known_division_code(code_expr, divisions) -%}
    {%- set rows = citylake.known_division_rows(divisions) -%}
    {%- if rows is none -%}
        (select d.known_code
         from (select division_code as known_code from {{ divisions }}) as d
         where d.known_code = {{ code_expr }})
    {%- elif rows | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        (case when {{ code_expr }} in ({% for row in rows %}{{ citylake.sql_string(row[0]) }}{% if not loop.last %}, {% endif %}{% endfor %}) then {{ code_expr }} end)
    {%- endif -%}
{%- endmacro %}

{#- The key of an address written as one text (person registers, events). `division_expr` (e.g. the
    record's division_code column) stands in when the text names no district. -#}
{% macro address_key_from_text(expr, division_expr=none, divisions=none) -%}
    {%- set divisions = divisions if divisions is not none else ref('ref_divisions') -%}
    {%- set s = citylake.squish(expr) -%}
    {%- set pat = citylake.address_pattern() -%}
    {%- set district = citylake.regexp_extract(s, pat, 1) -%}
    {%- set unit = citylake.regexp_extract(s, pat, 5) -%}
    {%- if division_expr is not none -%}
        {%- set fallback = citylake.known_division_code(citylake.std_division_code(division_expr), divisions) -%}
    {%- else -%}
        {%- set fallback = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {%- endif -%}
    {#- No outer CASE: groups are '' when the pattern does not match, the required ones become null and
        null propagates through ||. Without CASE branches DuckDB evaluates the normalised text once. -#}
    (coalesce({{ citylake.division_code_of_name(district, divisions) }},
              case when {{ district }} = '' then {{ fallback }} end)
        || '|' || {{ citylake.empty_as_null(citylake.regexp_extract(s, pat, 2)) }}
        || '|' || {{ citylake.empty_as_null(citylake.regexp_extract(s, pat, 3)) }}
        || '|' || {{ citylake.empty_as_null(citylake.regexp_extract(s, pat, 4)) }}
        || '|' || {{ unit }}
        || '|' || {{ citylake.empty_as_null(citylake.regexp_extract(s, pat, 6)) }})
{%- endmacro %}

{#- One house-register part (门牌号 `88号`, 楼栋号 `3栋`, 单元号 `2单元`, 户室号 `1201室`) → its digits,
    or null when the part is not a number with its optional suffix. -#}
{% macro address_number(expr, suffix_pattern) -%}
    {{ citylake.empty_as_null(citylake.regexp_extract(citylake.squish(expr), '^([0-9]+)(?:' ~ suffix_pattern ~ ')?$', 1)) }}
{%- endmacro %}

{#- The key of a room whose address comes in columns (the house register). A blank unit is ''. -#}
{% macro address_key_from_parts(division_code, street, door_number, building, unit, room, divisions=none) -%}
    {%- set divisions = divisions if divisions is not none else ref('ref_divisions') -%}
    {%- set unit_text = 'coalesce(' ~ citylake.squish(unit) ~ ", '')" -%}
    {{ citylake.known_division_code(citylake.std_division_code(division_code), divisions) }}
    || '|' || {{ citylake.empty_as_null(citylake.squish(street)) }}
    || '|' || {{ citylake.address_number(door_number, '号') }}
    || '|' || {{ citylake.address_number(building, '栋|幢|号楼') }}
    || '|' || (case when {{ unit_text }} = '' then '' else {{ citylake.address_number(unit, '单元') }} end)
    || '|' || {{ citylake.address_number(room, '室|号|房') }}
{%- endmacro %}
