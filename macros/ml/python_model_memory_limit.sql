{#- Pre-hook of every model (dbt_project.yml): a Python model runs with DuckDB's memory limit
    lowered to the var `python_model_duckdb_memory_limit`. DuckDB keeps the table blocks a
    query read cached up to its limit (6 GB for the SQL marts), and inside a Python model that
    cache sits beside the model's own frames: the reorder training and the recommender peaked
    above 12 GB at scale 1 mostly from it. SQL models are unaffected: dbt-duckdb applies the
    profile's settings (memory_limit included) again to the cursor of every node. -#}
{% macro python_model_memory_limit() -%}
    {{- return(adapter.dispatch('python_model_memory_limit')()) -}}
{%- endmacro %}

{% macro default__python_model_memory_limit() -%}
    {#- Python models run only on DuckDB -#}
{%- endmacro %}

{% macro duckdb__python_model_memory_limit() -%}
    {%- if model.language == 'python' -%}
        set memory_limit = '{{ var("python_model_duckdb_memory_limit") }}'
    {%- endif -%}
{%- endmacro %}
