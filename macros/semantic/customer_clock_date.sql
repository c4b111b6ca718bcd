{#- The data has no calendar dates, but MetricFlow needs a date-typed time dimension. Day N of
    a customer's own clock (days since that customer's first order) becomes the date
    epoch + N days. The epoch (var customer_clock_epoch) is an arbitrary fixed origin, not a
    real date: read 2000-01-08 as "day 7 since the customer's first order". Uses the
    cross-database dateadd, so it runs on DuckDB and Spark alike. -#}
{% macro customer_clock_date(day_offset) -%}
    cast({{ dbt.dateadd('day', day_offset, "cast('" ~ var('customer_clock_epoch') ~ "' as date)") }} as date)
{%- endmacro %}
