{#- Columns support, confidence_a_to_b, confidence_b_to_a and lift of an item pair, from the
    pair's basket count, each item's basket count and the number of baskets (SQL expressions).
    Shared by mart_product_pairs and mart_aisle_pairs so both define the metrics identically. -#}
{% macro pair_metrics(pair_count, a_count, b_count, all_baskets) -%}
        {{ safe_divide(pair_count, all_baskets) }} as support,  -- noqa: RF04
        {{ safe_divide(pair_count, a_count) }} as confidence_a_to_b,
        {{ safe_divide(pair_count, b_count) }} as confidence_b_to_a,
        {{ safe_divide(
            safe_divide(pair_count, all_baskets),
            safe_divide(a_count, all_baskets) ~ ' * ' ~ safe_divide(b_count, all_baskets)
        ) }} as lift
{%- endmacro %}
