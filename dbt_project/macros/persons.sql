{#- Person records: the pieces entity resolution compares. Portable SQL over portable.sql's primitives. -#}

{#- 姓名 as compared: half-width, no whitespace or separator dots (少数民族 names: 阿依·古丽), null when empty. -#}
{% macro person_name(expr) -%}
    {{ citylake.empty_as_null(citylake.regexp_replace_all(citylake.squish(expr), '[·.•]', '')) }}
{%- endmacro %}

{#- The first 17 characters of an ID number as sent (15-digit numbers widened), even when its check
    character is wrong: a mistyped check digit still names its person, so linkage compares these. -#}
{% macro id_base17(expr) -%}
    {%- set s = 'upper(' ~ citylake.squish(expr) ~ ')' -%}
    (case
        when {{ citylake.regexp_full_match(s, '[0-9]{15}') }} then substr({{ s }}, 1, 6) || '19' || substr({{ s }}, 7, 9)
        when {{ citylake.regexp_full_match(s, '[0-9]{17}[0-9X]?') }} then substr({{ s }}, 1, 17)
    end)
{%- endmacro %}

{#- One branch of int_persons_unioned: a person named in a record of one feed, in one role.
    `cols` maps the union's columns to SQL expressions over the staging model (missing = null). -#}
{% macro person_branch(model, feed_id, role, is_main, cols) -%}
    select
        record_id || ':{{ role }}' as person_record_id,
        record_id,
        '{{ feed_id }}' as feed_id,
        '{{ feed_id.split(".")[0] }}' as department,
        '{{ role }}' as role,
        {{ 'true' if is_main else 'false' }} as is_main_person,
        {{ cols.get('std_id_number', 'cast(null as ' ~ dbt.type_string() ~ ')') }} as std_id_number,
        {{ citylake.id_base17(cols['id_number']) if 'id_number' in cols else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as id_base17,
        {{ citylake.person_name(cols['name']) }} as name,
        cast({{ cols.get('sex', 'null') }} as {{ dbt.type_string() }}) as sex,
        cast({{ cols.get('birth_date', 'null') }} as date) as birth_date,
        cast({{ cols.get('phone', 'null') }} as {{ dbt.type_string() }}) as phone,
        cast({{ cols.get('address_key', 'null') }} as {{ dbt.type_string() }}) as address_key,
        cast({{ cols.get('division_code', 'null') }} as {{ dbt.type_string() }}) as division_code,
        cast({{ cols.get('grid_code', 'null') }} as {{ dbt.type_string() }}) as grid_code,
        cast({{ cols.get('household_id', 'null') }} as {{ dbt.type_string() }}) as household_id,
        cast({{ cols.get('relation_to_head', 'null') }} as {{ dbt.type_string() }}) as relation_to_head,
        cast({{ cols.get('population_type', 'null') }} as {{ dbt.type_string() }}) as population_type,
        cast({{ cols.get('from_date', 'null') }} as date) as from_date,
        cast({{ cols.get('to_date', 'null') }} as date) as to_date,
        cast({{ cols.get('updated_at', 'null') }} as {{ dbt.type_timestamp() }}) as updated_at,
        loaded_at,
        source_file,
        source_row_number
    from {{ ref(model) }}
{%- endmacro %}
