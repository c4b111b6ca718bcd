-- One row per (target_offset, user, product) for every product the user bought before the
-- target order (feat_reorder_targets): how often, how recently, in what streak, where in the
-- cart, and on which weekday/hour compared with the target order. Offset 0 (history = all
-- prior orders) is the analysts' view; offset 1 feeds training-data augmentation.
-- One aggregation level only: "distance" = orders between a purchase and the target (1 = the
-- last order before it); the current streak comes from a bitmask of recent distances
-- (macros/features/streaks.sql).
with

targets as (
    select
        user_id,
        target_offset,
        target_order_number,
        history_orders,
        order_dow,
        order_hour_of_day,
        days_since_first_order
    from {{ ref('feat_reorder_targets') }}
),

order_lines as (
    select
        user_id,
        product_id,
        aisle_id,
        department_id,
        order_number,
        add_to_cart_order,
        -- position as a share of the basket: staples go in first whatever the basket's size
        {{ safe_divide('add_to_cart_order', 'count(*) over (partition by user_id, order_number)') }}
            as relative_cart_position,
        order_dow,
        order_hour_of_day,
        days_since_first_order
    from {{ ref('fct_order_lines') }}
),

history as (
    -- the lines of every order before the target; never the target order's own lines
    select
        targets.target_offset,
        order_lines.user_id,
        order_lines.product_id,
        order_lines.aisle_id,
        order_lines.department_id,
        targets.history_orders,
        targets.target_order_number - order_lines.order_number as distance,
        targets.days_since_first_order - order_lines.days_since_first_order as days_before_target,
        order_lines.add_to_cart_order,
        order_lines.relative_cart_position,
        case when order_lines.order_dow = targets.order_dow then 1 else 0 end as on_target_dow,
        {{ hour_distance('order_lines.order_hour_of_day', 'targets.order_hour_of_day') }}
            as target_hour_distance
    from order_lines
    inner join targets on {{ feature_history_condition('order_lines', 'targets') }}
),

pairs as (
    select
        target_offset,
        user_id,
        product_id,
        aisle_id,
        department_id,
        history_orders,
        count(*) as times_bought,
        max(distance) as orders_since_first,
        min(distance) as orders_since_last,
        max(days_before_target) as days_since_first,
        min(days_before_target) as days_since_last,
        sum(add_to_cart_order) as cart_position_sum,
        sum(relative_cart_position) as relative_cart_position_sum,
        sum(on_target_dow) as target_dow_purchases,
        sum(target_hour_distance) as target_hour_distance_sum,
        sum(case when distance <= 3 then 1 else 0 end) as purchases_last_3,
        sum(case when distance <= 5 then 1 else 0 end) as purchases_last_5,
        sum({{ recent_orders_bitmask('distance') }}) as recent_orders_mask
    from history
    -- aisle, department and history_orders are fixed per product / target: grouping keys,
    -- not aggregates
    group by
        target_offset,
        user_id,
        product_id,
        aisle_id,
        department_id,
        history_orders
),

final as (
    select
        target_offset,
        user_id,
        product_id,
        aisle_id,
        department_id,
        cast(times_bought as {{ dbt.type_int() }}) as up_times_bought,
        {{ safe_divide('times_bought', 'history_orders') }} as up_order_rate,
        {{ safe_divide('times_bought', 'orders_since_first') }} as up_order_rate_since_first,
        cast(orders_since_first as {{ dbt.type_int() }}) as up_orders_since_first_purchase,
        cast(orders_since_last as {{ dbt.type_int() }}) as up_orders_since_last_purchase,
        cast(days_since_last as {{ dbt.type_int() }}) as up_days_since_last_purchase,
        {{ safe_divide('orders_since_first - orders_since_last', 'times_bought - 1') }}
            as up_mean_orders_between_purchases,
        {{ safe_divide(
            'orders_since_last * (times_bought - 1)',
            'orders_since_first - orders_since_last'
        ) }} as up_orders_since_last_over_mean_gap,
        {{ safe_divide(
            'days_since_last * (times_bought - 1)',
            'days_since_first - days_since_last'
        ) }} as up_days_since_last_over_mean_interval,
        cast(case when orders_since_last = 1 then 1 else 0 end as {{ dbt.type_int() }})
            as up_bought_last_1,
        cast(purchases_last_3 as {{ dbt.type_int() }}) as up_bought_last_3,
        cast(purchases_last_5 as {{ dbt.type_int() }}) as up_bought_last_5,
        {{ trailing_ones('recent_orders_mask') }} as up_current_streak,
        {{ safe_divide('cart_position_sum', 'times_bought') }} as up_mean_cart_position,
        {{ safe_divide('relative_cart_position_sum', 'times_bought') }}
            as up_mean_relative_cart_position,
        {{ safe_divide('target_dow_purchases', 'times_bought') }} as o_up_target_dow_share,
        {{ safe_divide('target_hour_distance_sum', 'times_bought') }}
            as o_up_mean_target_hour_distance
    from pairs
)

select
    target_offset,
    user_id,
    product_id,
    aisle_id,
    department_id,
    up_times_bought,
    up_order_rate,
    up_order_rate_since_first,
    up_orders_since_first_purchase,
    up_orders_since_last_purchase,
    up_days_since_last_purchase,
    up_mean_orders_between_purchases,
    up_orders_since_last_over_mean_gap,
    up_days_since_last_over_mean_interval,
    up_bought_last_1,
    up_bought_last_3,
    up_bought_last_5,
    up_current_streak,
    up_mean_cart_position,
    up_mean_relative_cart_position,
    o_up_target_dow_share,
    o_up_mean_target_hour_distance
from final
