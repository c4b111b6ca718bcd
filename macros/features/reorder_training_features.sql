{#- The feature columns of feat_reorder_training, by source, in table order. One list serves
    the model's SQL (import, join and final selects) so a feature is named in one place. -#}
{% macro reorder_feature_groups() -%}
    {{- return({
        'user': [
            'u_orders', 'u_total_purchases', 'u_distinct_products', 'u_repeat_product_share',
            'u_distinct_aisles', 'u_mean_basket_size', 'u_std_basket_size',
            'u_last_basket_size', 'u_reorder_ratio', 'u_reorder_ratio_after_first',
            'u_last_reorder_ratio', 'u_mean_reordered_per_order', 'u_no_reorder_order_share',
            'u_mean_days_between_orders', 'u_std_days_between_orders', 'u_capped_gap_share',
            'u_tenure_days',
        ],
        'product': [
            'p_aisle_id', 'p_department_id', 'p_purchases', 'p_buyer_share', 'p_reorder_ratio',
            'p_repeat_buyer_share', 'p_reorder_probability', 'p_mean_cart_position',
            'p_mean_orders_between_purchases', 'p_aisle_purchase_share',
            'p_aisle_reorder_ratio', 'p_aisle_repeat_pair_share',
            'p_department_purchase_share', 'p_department_reorder_ratio',
            'p_department_repeat_pair_share',
        ],
        'user_product': [
            'up_times_bought', 'up_order_rate', 'up_order_rate_since_first',
            'up_orders_since_first_purchase', 'up_orders_since_last_purchase',
            'up_days_since_last_purchase', 'up_mean_orders_between_purchases',
            'up_orders_since_last_over_mean_gap', 'up_days_since_last_over_mean_interval',
            'up_bought_last_1', 'up_bought_last_3', 'up_bought_last_5', 'up_current_streak',
            'up_mean_cart_position', 'up_mean_relative_cart_position',
        ],
        'user_category': {
            'ua': ['ua_purchases', 'ua_distinct_products', 'ua_reorder_ratio',
                   'ua_orders_since_last_purchase'],
            'ud': ['ud_purchases', 'ud_distinct_products', 'ud_reorder_ratio',
                   'ud_orders_since_last_purchase'],
        },
        'user_category_derived': ['share_of_user_purchases', 'purchase_share_lift',
                                  'product_share'],
        'user_target': [
            'o_order_dow', 'o_order_hour_of_day', 'o_days_since_prior_order',
            'o_u_target_dow_share', 'o_u_mean_target_hour_distance',
            'o_u_days_since_prior_over_mean', 'o_u_days_since_prior_zscore',
        ],
        'user_product_target': ['o_up_target_dow_share', 'o_up_mean_target_hour_distance'],
        'product_target': ['o_p_target_dow_lift', 'o_p_target_hour_lift'],
    }) -}}
{%- endmacro %}

{% macro reorder_training_features() -%}
    {%- set groups = reorder_feature_groups() -%}
    {%- set result = namespace(columns=groups['user'] + groups['product'] + groups['user_product']) -%}
    {%- for prefix, category_columns in groups['user_category'].items() -%}
        {%- set derived = [] -%}
        {%- for name in groups['user_category_derived'] -%}
            {%- do derived.append(prefix ~ '_' ~ name) -%}
        {%- endfor -%}
        {%- set result.columns = result.columns + category_columns + derived -%}
    {%- endfor -%}
    {{- return(result.columns + groups['user_target'] + groups['user_product_target']
        + groups['product_target']) -}}
{%- endmacro %}
