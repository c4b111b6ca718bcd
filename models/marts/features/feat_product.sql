-- One row per (target_offset, product) bought in any user's history before their target
-- order: popularity, how often and how soon buyers come back, cart position, and the same
-- reorder measures for the product's aisle and department. Built from feat_user_product, so
-- product statistics at offset 1 never include any user's offset-1 target order.
with

user_products as (
    select
        target_offset,
        product_id,
        aisle_id,
        department_id,
        up_times_bought,
        up_orders_since_first_purchase,
        up_mean_orders_between_purchases,
        up_mean_cart_position
    from {{ ref('feat_user_product') }}
),

targets as (
    select
        target_offset,
        user_id
    from {{ ref('feat_reorder_targets') }}
),

offset_users as (
    select
        target_offset,
        count(*) as user_count
    from targets
    group by target_offset
),

product_stats as (
    select
        target_offset,
        product_id,
        aisle_id,
        department_id,
        count(*) as buyers,
        sum(up_times_bought) as purchases,
        sum(case when up_times_bought >= 2 then 1 else 0 end) as repeat_buyers,
        sum(up_times_bought - 1) as repeat_purchases,
        -- orders a buyer placed after first buying the product (chances to buy it again)
        sum(up_orders_since_first_purchase - 1) as orders_after_first_purchase,
        sum(up_mean_cart_position * up_times_bought) as cart_position_sum,
        avg(up_mean_orders_between_purchases) as mean_orders_between_purchases
    from user_products
    group by target_offset, product_id, aisle_id, department_id
),

offset_purchases as (
    select
        target_offset,
        sum(purchases) as purchases
    from product_stats
    group by target_offset
),

aisle_stats as (
    {{ category_reorder_stats('user_products', 'aisle_id', 'p_aisle') }}
),

department_stats as (
    {{ category_reorder_stats('user_products', 'department_id', 'p_department') }}
),

final as (
    select
        product_stats.target_offset,
        product_stats.product_id,
        product_stats.aisle_id as p_aisle_id,
        product_stats.department_id as p_department_id,
        cast(product_stats.purchases as {{ dbt.type_int() }}) as p_purchases,
        {{ safe_divide('product_stats.buyers', 'offset_users.user_count') }} as p_buyer_share,
        {{ safe_divide('product_stats.repeat_purchases', 'product_stats.purchases') }}
            as p_reorder_ratio,
        {{ safe_divide('product_stats.repeat_buyers', 'product_stats.buyers') }}
            as p_repeat_buyer_share,
        {{ safe_divide(
            'product_stats.repeat_purchases',
            'product_stats.orders_after_first_purchase'
        ) }} as p_reorder_probability,
        {{ safe_divide('product_stats.cart_position_sum', 'product_stats.purchases') }}
            as p_mean_cart_position,
        cast(product_stats.mean_orders_between_purchases as {{ type_double() }})
            as p_mean_orders_between_purchases,
        {{ safe_divide('aisle_stats.category_purchases', 'offset_purchases.purchases') }}
            as p_aisle_purchase_share,
        aisle_stats.p_aisle_reorder_ratio,
        aisle_stats.p_aisle_repeat_pair_share,
        {{ safe_divide('department_stats.category_purchases', 'offset_purchases.purchases') }}
            as p_department_purchase_share,
        department_stats.p_department_reorder_ratio,
        department_stats.p_department_repeat_pair_share
    from product_stats
    inner join offset_users on product_stats.target_offset = offset_users.target_offset
    inner join offset_purchases on product_stats.target_offset = offset_purchases.target_offset
    inner join aisle_stats
        on
            product_stats.target_offset = aisle_stats.target_offset
            and product_stats.aisle_id = aisle_stats.aisle_id
    inner join department_stats
        on
            product_stats.target_offset = department_stats.target_offset
            and product_stats.department_id = department_stats.department_id
)

select
    target_offset,
    product_id,
    p_aisle_id,
    p_department_id,
    p_purchases,
    p_buyer_share,
    p_reorder_ratio,
    p_repeat_buyer_share,
    p_reorder_probability,
    p_mean_cart_position,
    p_mean_orders_between_purchases,
    p_aisle_purchase_share,
    p_aisle_reorder_ratio,
    p_aisle_repeat_pair_share,
    p_department_purchase_share,
    p_department_reorder_ratio,
    p_department_repeat_pair_share
from final
