{#- Custom schemas are used as-is (staging, intermediate, marts), not prefixed with the target schema:
    BI tools and the quality runner address `marts.dim_person` on every machine. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
