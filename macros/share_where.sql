{#- Share of rows meeting `condition` (0..1), averaged over doubles: Spark's avg of a decimal
    literal such as 1.0 keeps only 4 more decimals, which would break engine parity. -#}
{% macro share_where(condition) -%}
    avg(case when {{ condition }} then cast(1 as {{ type_double() }}) else cast(0 as {{ type_double() }}) end)
{%- endmacro %}
