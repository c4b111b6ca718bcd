{#- Every raw read goes through here: it returns the dbt source (for lineage) and makes the
    reading model depend on `raw_file_checks`, so plain `dbt build` validates the raw files
    (great-expectations, ml.validate) before any model reads them. -#}
{% macro validated_source(source_name, table_name) -%}
    {%- set _checks = ref('raw_file_checks') -%}
    {{- return(source(source_name, table_name)) -}}
{%- endmacro %}
