{#- The optional assignment file: the source relation when experiment_assignments.csv exists
    in the data dir, else an empty table of the same columns, so the project builds without it.
    Engine-specific because only DuckDB can list files from SQL (glob); elsewhere the file is
    expected to exist. The source() call always happens, so lineage shows the source. -#}
{% macro experiment_assignments_source() -%}
    {{ return(adapter.dispatch('experiment_assignments_source')()) }}
{%- endmacro %}

{% macro experiment_assignments_empty() -%}
    (
        select
            cast(null as integer) as user_id,
            cast(null as varchar) as experiment,
            cast(null as varchar) as variant,
            cast(null as integer) as assigned_at_order
        where 1 = 0
    )
{%- endmacro %}

{% macro duckdb__experiment_assignments_source() -%}
    {%- set relation = source('experiments', 'experiment_assignments') -%}
    {%- set data_dir = var("data_dir", env_var("INSTACART_DATA_DIR", "data/synthetic")) -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select count(*) from glob('" ~ data_dir ~ "/experiment_assignments.csv')"
        ).columns[0].values()[0] -%}
    {%- else -%}
        {%- set found = 0 -%}
    {%- endif -%}
    {%- if found > 0 -%}
        {{ relation }}
    {%- else -%}
        {{ experiment_assignments_empty() }}
    {%- endif -%}
{%- endmacro %}

{% macro default__experiment_assignments_source() -%}
    {{ source('experiments', 'experiment_assignments') }}
{%- endmacro %}
