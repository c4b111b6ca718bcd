{#- Aisle and department aggregates share one shape; these macros write it once for any
    category column of feat_user_product (aisle_id, department_id). -#}

{#- Per (target_offset, category): reorder behaviour of all users' histories in the category.
    Reads a relation with target_offset, user_id, product_id, the category column and
    up_times_bought. Columns: category_purchases (the caller divides it by all purchases),
    <prefix>_reorder_ratio (repeat purchases / purchases), <prefix>_repeat_pair_share (share of
    (user, product) pairs in the category bought at least twice). -#}
{% macro category_reorder_stats(relation, category_column, prefix) -%}
    select
        target_offset,
        {{ category_column }},
        sum(up_times_bought) as category_purchases,
        {{ safe_divide('sum(up_times_bought - 1)', 'sum(up_times_bought)') }}
            as {{ prefix }}_reorder_ratio,
        {{ safe_divide('sum(case when up_times_bought >= 2 then 1 else 0 end)', 'count(*)') }}
            as {{ prefix }}_repeat_pair_share
    from {{ relation }}
    group by target_offset, {{ category_column }}
{%- endmacro %}

{#- Per (target_offset, user, category): the user's loyalty to the category. Reads the same
    relation plus up_orders_since_last_purchase. -#}
{% macro user_category_loyalty(relation, category_column, prefix) -%}
    select
        target_offset,
        user_id,
        {{ category_column }},
        cast(sum(up_times_bought) as {{ dbt.type_int() }}) as {{ prefix }}_purchases,
        cast(count(*) as {{ dbt.type_int() }}) as {{ prefix }}_distinct_products,
        {{ safe_divide('sum(up_times_bought - 1)', 'sum(up_times_bought)') }}
            as {{ prefix }}_reorder_ratio,
        cast(min(up_orders_since_last_purchase) as {{ dbt.type_int() }})
            as {{ prefix }}_orders_since_last_purchase
    from {{ relation }}
    group by target_offset, user_id, {{ category_column }}
{%- endmacro %}
