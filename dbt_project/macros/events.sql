{#- Helpers of the events models (int_events_unioned, fct_event, int_indicators__events). -#}

{#- The as-of date the event marts are seen at: the `as_of_date` var when given (YYYY-MM-DD), else the
    latest load date of `relation` (the day the centre loaded what it shows). -#}
{% macro events_as_of(relation) -%}
    {%- set given = var('as_of_date', none) -%}
    {%- if given -%}
        cast({{ citylake.sql_string(given) }} as date)
    {%- else -%}
        (select cast(max(load_date) as date) from {{ relation }})
    {%- endif -%}
{%- endmacro %}

{#- The report date a department's event number carries (`<2 letters><YYYYMMDD><serial>`), or null. -#}
{% macro event_id_date(expr) -%}
    {{ citylake.try_parse_date('substr(' ~ expr ~ ', 3, 8)', '%Y%m%d') }}
{%- endmacro %}

{#- Rows whose combination of `columns` occurs more than once (a composite key). -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- A double-precision float (dbt.type_float() is single precision on DuckDB: 0.9 would read 0.8999…). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'citylake')()) }}
{%- endmacro %}
{% macro default__type_double() -%}
    double
{%- endmacro %}
{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
