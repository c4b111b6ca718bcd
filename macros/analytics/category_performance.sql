{#- Shared by mart_aisle_performance and mart_department_performance: the same measures of a
    catalogue category (aisle, department) over prior lines. Each model keeps its own import
    CTEs (`prior_lines`, `prior_orders`) and names; these macros write the common parts. -#}

{#- Body of a CTE: one row per (order, category, user) with the order's lines in it. -#}
{% macro category_order_lines(category_column) -%}
    select
        order_id,
        {{ category_column }},
        user_id,
        count(*) as line_count,
        sum(reordered) as reordered_lines,
        sum(add_to_cart_order) as add_to_cart_order_sum
    from prior_lines
    group by order_id, {{ category_column }}, user_id
{%- endmacro %}

{#- Body of a CTE: per category, orders, users and lines from category_order_lines. -#}
{% macro category_stats(category_column, order_lines_cte) -%}
    select
        {{ category_column }},
        count(*) as order_count,
        count(distinct user_id) as user_count,
        sum(line_count) as line_count,
        sum(reordered_lines) as reordered_lines,
        sum(add_to_cart_order_sum) as add_to_cart_order_sum
    from {{ order_lines_cte }}
    group by {{ category_column }}
{%- endmacro %}

{#- Columns of the final CTE: counts and rates of the stats CTE against the totals CTE. -#}
{% macro category_measures(stats) -%}
        cast({{ stats }}.order_count as {{ dbt.type_int() }}) as order_count,
        cast({{ stats }}.user_count as {{ dbt.type_int() }}) as user_count,
        cast({{ stats }}.line_count as {{ dbt.type_int() }}) as line_count,
        cast({{ stats }}.reordered_lines as {{ dbt.type_int() }}) as reordered_lines,
        {{ safe_divide(stats ~ '.reordered_lines', stats ~ '.line_count') }} as reorder_rate,
        {{ safe_divide(stats ~ '.add_to_cart_order_sum', stats ~ '.line_count') }}
            as mean_add_to_cart_order,
        {{ safe_divide(stats ~ '.line_count', stats ~ '.order_count') }} as mean_lines_per_order,
        {{ safe_divide(stats ~ '.line_count', 'totals.all_prior_lines') }} as line_share,
        {{ safe_divide(stats ~ '.order_count', 'totals.all_prior_orders') }} as order_penetration,
        cast(rank() over (order by {{ stats }}.order_count desc) as {{ dbt.type_int() }})
            as overall_rank
{%- endmacro %}
