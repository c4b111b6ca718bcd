{#- A one-column relation body with the integers start..stop (inclusive), as
    `select 0 as <column> union all select 1 ...`. Portable (DuckDB and Spark): no range(),
    generate_series() or unnest(). Meant for small grids (hours, weekdays, score levels). -#}
{% macro integer_series(start, stop, column_name='n') -%}
    {%- for value in range(start, stop + 1) %}
    select cast({{ value }} as {{ dbt.type_int() }}) as {{ column_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
