{#- on-run-start hook (dbt_project.yml): make the raw files readable as the dbt sources.
    DuckDB reads them in place through each source's `external_location` (read_csv with
    declared types), so there is nothing to do. Spark registers each source table as an
    external CSV table over <data_dir>/<table>.csv with the column types declared in
    _staging__sources.yml (never inferSchema; never csv.`path`, which reads no header; never
    temporary views, which persistent views cannot reference). Re-run on every invocation so
    the tables always point at the current data_dir. -#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    select 1 as nothing_to_register
{%- endmacro %}

{#- The folder of the raw files, absolute (Spark would resolve a relative path against its
    warehouse directory, not the directory dbt was started from). -#}
{% macro raw_data_dir() -%}
    {%- set data_dir = var('data_dir', env_var('INSTACART_DATA_DIR', 'data/synthetic')) | string -%}
    {%- if not data_dir.startswith('/') -%}
        {%- set data_dir = env_var('PWD') ~ '/' ~ data_dir -%}
    {%- endif -%}
    {{- return(data_dir.rstrip('/')) -}}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {#- Spark runs one statement per call, so each runs here and the hook itself is a no-op. -#}
    {%- if execute -%}
        {%- for source_node in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set relation = source_node.schema ~ '.' ~ source_node.identifier -%}
            {%- set columns = source_node.columns.values() | list -%}
            {%- if columns | selectattr('data_type', 'none') | list -%}
                {{ exceptions.raise_compiler_error(
                    'source ' ~ source_node.unique_id ~ ': every column needs a data_type') }}
            {%- endif -%}
            {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- set create_table -%}
                create table {{ relation }} (
                    {%- for column in columns %}
                    {{ column.name }} {{ column.data_type }}{{ ',' if not loop.last }}
                    {%- endfor %}
                )
                using csv
                options (
                    path '{{ raw_data_dir() }}/{{ source_node.identifier }}.csv',
                    header 'true',
                    sep ',',
                    quote '"',
                    escape '"',
                    mode 'FAILFAST'
                )
            {%- endset -%}
            {%- do run_query(create_table) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as raw_sources_registered
{%- endmacro %}
