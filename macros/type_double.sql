{#- A 64-bit float. dbt.type_float() is a 32-bit FLOAT on DuckDB, too coarse for shares and
    probabilities; DuckDB and Spark both spell the 64-bit type "double". -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}
