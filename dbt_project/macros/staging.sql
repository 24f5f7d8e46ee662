{#- The standard forms of a feed's columns, driven by the generated sources: each column's meta names its
    form (`standard`, chosen from the contract's rules and types by citylake.staging.column_standard) and
    the table's meta lists the addresses to key. Emits `, <expr> as std_<column>` per column, so a model
    writes `select renamed.* {{ standard_columns(...) }}` whatever the feed has. -#}
{% macro standard_columns(source_name, table_name) -%}
    {%- if not execute or not graph.get('sources') -%}{{ return('') }}{%- endif -%}
    {%- set node = citylake.source_node(source_name, table_name) -%}
    {%- for name, col in node.columns.items() -%}
        {%- set meta = {} -%}
        {%- do meta.update(col.meta or {}) -%}
        {%- do meta.update((col.config or {}).get('meta') or {} if col.config is mapping else {}) -%}
        {%- set form = meta.get('standard') -%}
        {%- if form %}
        , {{ citylake.standard_form(form, adapter.quote(name), meta.get('formats')) }} as {{ adapter.quote('std_' ~ name) }}
        {%- endif -%}
    {%- endfor -%}
    {%- for address, division, key in citylake.source_meta(node).get('addresses', []) %}
        , {{ citylake.address_key_from_text(adapter.quote(address), adapter.quote(division) if division else none) }} as {{ adapter.quote(key) }}
    {%- endfor -%}
{%- endmacro %}

{% macro standard_form(form, expr, formats=none) -%}
    {%- if form == 'id_number' -%}{{ citylake.std_id_number(expr) }}
    {%- elif form == 'uscc' -%}{{ citylake.std_uscc(expr) }}
    {%- elif form == 'device_id' -%}{{ citylake.std_digits(expr, 20) }}
    {%- elif form == 'stats_code' -%}{{ citylake.std_digits(expr, 12) }}
    {%- elif form == 'division_code' -%}{{ citylake.std_division_code(expr) }}
    {%- elif form == 'phone' -%}{{ citylake.std_phone(expr) }}
    {%- elif form == 'plate' -%}{{ citylake.std_plate(expr) }}
    {%- elif form == 'sex' -%}{{ citylake.std_sex(expr) }}
    {%- elif form == 'number' -%}{{ citylake.std_number(expr) }}
    {%- elif form == 'date' -%}{{ citylake.std_date(expr, formats or ['%Y-%m-%d', '%Y%m%d', '%Y/%m/%d']) }}
    {%- elif form == 'timestamp' -%}{{ citylake.std_timestamp(expr, formats or ['%Y-%m-%d %H:%M:%S']) }}
    {%- else -%}{{ exceptions.raise_compiler_error('unknown standard form ' ~ form) }}
    {%- endif -%}
{%- endmacro %}
