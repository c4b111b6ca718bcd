{#- Every raw read goes through here: it returns the dbt source (for lineage) and, on DuckDB,
    makes the reading model depend on `raw_file_checks`, so plain `dbt build` validates the raw
    files (great-expectations, ml.validate) before any model reads them. Python models run
    only on DuckDB, so on Spark the sources are the external tables of register_raw_sources
    (macros/raw_sources.sql) and the checks are `make validate` / `python -m ml.validate`. -#}
{% macro validated_source(source_name, table_name) -%}
    {{- return(adapter.dispatch('validated_source')(source_name, table_name)) -}}
{%- endmacro %}

{% macro default__validated_source(source_name, table_name) -%}
    {%- set _checks = ref('raw_file_checks') -%}
    {{- return(source(source_name, table_name)) -}}
{%- endmacro %}

{% macro spark__validated_source(source_name, table_name) -%}
    {{- return(source(source_name, table_name)) -}}
{%- endmacro %}
