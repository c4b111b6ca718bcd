-- One row per (target_offset, user): the user's behaviour over the orders before the target
-- order (basket sizes, cadence, reorder habits, breadth) and the target order's own context
-- (weekday, hour, gap; compared with the user's habits). Only history orders' lines are
-- used: fct_orders' basket measures of the target order itself are never read.
with

targets as (
    select
        user_id,
        target_offset,
        order_id,
        eval_set,
        target_order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order
    from {{ ref('feat_reorder_targets') }}
),

orders as (
    select
        user_id,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order,
        days_since_first_order,
        basket_size,
        reordered_lines
    from {{ ref('fct_orders') }}
),

user_products as (
    select
        target_offset,
        user_id,
        aisle_id,
        up_times_bought
    from {{ ref('feat_user_product') }}
),

history_orders as (
    -- the orders before the target, with the target's context beside them
    select
        targets.target_offset,
        orders.user_id,
        orders.order_number,
        orders.days_since_prior_order,
        orders.days_since_first_order,
        orders.basket_size,
        orders.reordered_lines,
        case when orders.order_number > 1 then orders.basket_size end as later_basket_size,
        case when orders.order_number > 1 then orders.reordered_lines end
            as later_reordered_lines,
        case when orders.order_number = targets.target_order_number - 1 then 1 else 0 end
            as is_last_order,
        case when orders.order_dow = targets.order_dow then 1 else 0 end as on_target_dow,
        {{ hour_distance('orders.order_hour_of_day', 'targets.order_hour_of_day') }}
            as target_hour_distance
    from orders
    inner join targets on {{ feature_history_condition('orders', 'targets') }}
),

order_stats as (
    select
        target_offset,
        user_id,
        count(*) as orders,
        sum(basket_size) as purchases,
        avg(basket_size) as mean_basket_size,
        stddev_samp(basket_size) as std_basket_size,
        sum(reordered_lines) as reordered_lines,
        sum(later_basket_size) as later_purchases,
        sum(later_reordered_lines) as later_reordered_lines,
        avg(later_reordered_lines) as mean_later_reordered_lines,
        -- double literals: avg of a decimal literal keeps only 4 more decimals on Spark
        avg(
            case
                when later_reordered_lines = 0 then cast(1 as {{ type_double() }})
                when later_reordered_lines > 0 then cast(0 as {{ type_double() }})
            end
        ) as no_reorder_share,
        avg(days_since_prior_order) as mean_days_between_orders,
        stddev_samp(days_since_prior_order) as std_days_between_orders,
        sum(case when days_since_prior_order >= 30 then 1 else 0 end) as capped_gaps,
        count(days_since_prior_order) as gaps,
        max(days_since_first_order) as tenure_days,
        max(case when is_last_order = 1 then basket_size end) as last_basket_size,
        max(case when is_last_order = 1 then reordered_lines end) as last_reordered_lines,
        sum(on_target_dow) as target_dow_orders,
        avg(target_hour_distance) as mean_target_hour_distance
    from history_orders
    group by target_offset, user_id
),

product_stats as (
    select
        target_offset,
        user_id,
        count(*) as distinct_products,
        sum(case when up_times_bought >= 2 then 1 else 0 end) as repeat_products,
        count(distinct aisle_id) as distinct_aisles
    from user_products
    group by target_offset, user_id
),

final as (
    select
        targets.target_offset,
        targets.user_id,
        targets.order_id,
        targets.eval_set,
        cast(order_stats.orders as {{ dbt.type_int() }}) as u_orders,
        cast(order_stats.purchases as {{ dbt.type_int() }}) as u_total_purchases,
        cast(product_stats.distinct_products as {{ dbt.type_int() }}) as u_distinct_products,
        {{ safe_divide('product_stats.repeat_products', 'product_stats.distinct_products') }}
            as u_repeat_product_share,
        cast(product_stats.distinct_aisles as {{ dbt.type_int() }}) as u_distinct_aisles,
        cast(order_stats.mean_basket_size as {{ type_double() }}) as u_mean_basket_size,
        cast(order_stats.std_basket_size as {{ type_double() }}) as u_std_basket_size,
        cast(order_stats.last_basket_size as {{ dbt.type_int() }}) as u_last_basket_size,
        {{ safe_divide('order_stats.reordered_lines', 'order_stats.purchases') }}
            as u_reorder_ratio,
        {{ safe_divide('order_stats.later_reordered_lines', 'order_stats.later_purchases') }}
            as u_reorder_ratio_after_first,
        {{ safe_divide('order_stats.last_reordered_lines', 'order_stats.last_basket_size') }}
            as u_last_reorder_ratio,
        cast(order_stats.mean_later_reordered_lines as {{ type_double() }})
            as u_mean_reordered_per_order,
        cast(order_stats.no_reorder_share as {{ type_double() }}) as u_no_reorder_order_share,
        cast(order_stats.mean_days_between_orders as {{ type_double() }})
            as u_mean_days_between_orders,
        cast(order_stats.std_days_between_orders as {{ type_double() }})
            as u_std_days_between_orders,
        {{ safe_divide('order_stats.capped_gaps', 'order_stats.gaps') }} as u_capped_gap_share,
        cast(order_stats.tenure_days as {{ dbt.type_int() }}) as u_tenure_days,
        targets.order_dow as o_order_dow,
        targets.order_hour_of_day as o_order_hour_of_day,
        targets.days_since_prior_order as o_days_since_prior_order,
        {{ safe_divide('order_stats.target_dow_orders', 'order_stats.orders') }}
            as o_u_target_dow_share,
        cast(order_stats.mean_target_hour_distance as {{ type_double() }})
            as o_u_mean_target_hour_distance,
        {{ safe_divide('targets.days_since_prior_order', 'order_stats.mean_days_between_orders') }}
            as o_u_days_since_prior_over_mean,
        {{ safe_divide(
            'targets.days_since_prior_order - order_stats.mean_days_between_orders',
            'order_stats.std_days_between_orders'
        ) }} as o_u_days_since_prior_zscore
    from targets
    inner join order_stats
        on
            targets.target_offset = order_stats.target_offset
            and targets.user_id = order_stats.user_id
    left join product_stats
        on
            targets.target_offset = product_stats.target_offset
            and targets.user_id = product_stats.user_id
)

select
    target_offset,
    user_id,
    order_id,
    eval_set,
    u_orders,
    u_total_purchases,
    u_distinct_products,
    u_repeat_product_share,
    u_distinct_aisles,
    u_mean_basket_size,
    u_std_basket_size,
    u_last_basket_size,
    u_reorder_ratio,
    u_reorder_ratio_after_first,
    u_last_reorder_ratio,
    u_mean_reordered_per_order,
    u_no_reorder_order_share,
    u_mean_days_between_orders,
    u_std_days_between_orders,
    u_capped_gap_share,
    u_tenure_days,
    o_order_dow,
    o_order_hour_of_day,
    o_days_since_prior_order,
    o_u_target_dow_share,
    o_u_mean_target_hour_distance,
    o_u_days_since_prior_over_mean,
    o_u_days_since_prior_zscore
from final
