{#- Reading the lake (docs/architecture.md §2). Staging models read their feed with
    `lake_source(dept, feed)`, which calls source() and, when the feed's folder holds no Parquet file
    yet, reads an empty relation with the contract's columns instead, so one feed without loads does not
    stop the build of the others. -#}

{% macro source_node(source_name, table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {{- return(node) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- exceptions.raise_compiler_error('no source ' ~ source_name ~ '.' ~ table_name) -}}
{%- endmacro %}

{% macro source_meta(node) -%}
    {%- set meta = {} -%}
    {%- do meta.update(node.meta or {}) -%}
    {%- do meta.update((node.config or {}).get('meta') or {}) -%}
    {{- return(meta) -}}
{%- endmacro %}

{% macro lake_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set node = citylake.source_node(source_name, table_name) -%}
    {%- set pattern = citylake.source_meta(node).get('lake_glob') -%}
    {%- if pattern and not citylake.lake_has_files(pattern) -%}
        {{- log('lake: no Parquet file under ' ~ pattern ~ ', reading ' ~ source_name ~ '.' ~ table_name ~ ' as empty', info=true) -}}
        {{- return(citylake.empty_lake_relation(node)) -}}
    {%- endif -%}
    {{- return(relation) -}}
{%- endmacro %}

{% macro lake_has_files(pattern) -%}
    {{ return(adapter.dispatch('lake_has_files', 'citylake')(pattern)) }}
{%- endmacro %}
{% macro default__lake_has_files(pattern) -%}
    {{ return(true) }}
{%- endmacro %}
{% macro duckdb__lake_has_files(pattern) -%}
    {%- set result = run_query('select count(*) from glob(' ~ citylake.sql_string(pattern) ~ ')') -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro empty_lake_relation(node) -%}
    (select
    {%- for name in node.columns %}
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote(name) }},
    {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as _record_id,
        cast(null as {{ dbt.type_string() }}) as _source,
        cast(null as {{ dbt.type_bigint() }}) as _row_number,
        cast(null as {{ dbt.type_string() }}) as _load_id,
        cast(null as {{ dbt.type_timestamp() }}) as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _file_sha256,
        cast(null as {{ dbt.type_string() }}) as _extra,
        cast(null as date) as load_date
    where 1 = 0)
{%- endmacro %}

{#- Lineage columns under their warehouse names (docs/architecture.md §3). -#}
{% macro lake_lineage(alias=none) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    {{ p }}_record_id as record_id,
    {{ p }}_source as source_file,
    cast({{ p }}_row_number as {{ dbt.type_bigint() }}) as source_row_number,
    {{ p }}_load_id as load_id,
    {{ p }}_loaded_at as loaded_at,
    cast({{ p }}load_date as date) as load_date
{%- endmacro %}

{#- Every contract column of the feed, as sent (text), under its contract name, listed from the source
    definition (generated from the contract). Unit tests have no graph: there the fixture's own columns
    minus the lineage ones stand in. -#}
{% macro contract_columns(source_name, table_name, alias=none) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{- return(citylake.star_except(citylake.lake_lineage_names(), alias)) -}}
    {%- endif -%}
    {%- set node = citylake.source_node(source_name, table_name) -%}
    {%- for name in node.columns %}
    cast({{ p }}{{ adapter.quote(name) }} as {{ dbt.type_string() }}) as {{ adapter.quote(name) }}{% if not loop.last %},{% endif %}
    {%- endfor -%}
{%- endmacro %}

{% macro lake_lineage_names() -%}
    {{ return(['_record_id', '_source', '_row_number', '_load_id', '_loaded_at', '_file_sha256', '_extra', 'load_date']) }}
{%- endmacro %}

{#- All columns of the relation in scope except `names`. -#}
{% macro star_except(names, alias=none) -%}
    {{ return(adapter.dispatch('star_except', 'citylake')(names, alias)) }}
{%- endmacro %}
{% macro default__star_except(names, alias) -%}
    {{ alias ~ '.' if alias else '' }}* exclude ({{ names | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(names, alias) -%}
    {{ alias ~ '.' if alias else '' }}* except ({{ names | join(', ') }})
{%- endmacro %}

{#- The strptime formats a column is sent in, as its contract declares them (carried in the generated
    sources), so models never restate them. Falls back to `default` for columns that declare none, and
    in unit tests, where dbt's graph holds no sources. -#}
{% macro contract_formats(source_name, table_name, column_name, default=none) -%}
    {%- if execute and graph.get('sources') -%}
        {%- set node = citylake.source_node(source_name, table_name) -%}
        {%- set col = node.columns.get(column_name) -%}
        {%- if col is none -%}
            {{- exceptions.raise_compiler_error('source ' ~ source_name ~ '.' ~ table_name ~ ' has no column ' ~ column_name) -}}
        {%- endif -%}
        {%- set meta = {} -%}
        {%- do meta.update(col.meta or {}) -%}
        {%- do meta.update((col.config or {}).get('meta') or {} if col.config is mapping else {}) -%}
        {%- if meta.get('formats') -%}{{ return(meta['formats']) }}{%- endif -%}
    {%- endif -%}
    {{ return(default if default is not none else ['%Y-%m-%d', '%Y%m%d', '%Y/%m/%d', '%Y-%m-%d %H:%M:%S']) }}
{%- endmacro %}

{#- One feed's records as staging starts from them: lineage and every contract column as sent, limited to
    the current snapshot. File feeds deliver full exports, so only the latest loaded file counts; API and
    database feeds deliver versions, all kept. The rule comes from the generated source's meta. -#}
{% macro lake_records(source_name, table_name) -%}
    {%- set snapshot = 'latest_file' -%}
    {%- if execute and graph.get('sources') -%}
        {%- set snapshot = citylake.source_meta(citylake.source_node(source_name, table_name)).get('snapshot', 'latest_file') -%}
    {%- endif -%}
    {%- set relation = citylake.lake_source(source_name, table_name) -%}
    select
        {{ citylake.lake_lineage('lake') }},
        {{ citylake.contract_columns(source_name, table_name, 'lake') }}
    from {{ relation }} as lake
    {%- if snapshot == 'latest_file' %}
    inner join (
        select _load_id from {{ relation }} as loads order by _loaded_at desc, _load_id desc limit 1
    ) as latest_load on lake._load_id = latest_load._load_id
    {%- endif %}
{%- endmacro %}
