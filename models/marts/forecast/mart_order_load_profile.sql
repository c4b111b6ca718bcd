-- Weekly load profile for staffing: orders per (day of week, hour of day) cell of a typical
-- week, with a multiplicative seasonal model fitted = dow orders x hour orders / all orders
-- (day and hour effects, no interaction) and indices relative to the mean cell. Relative
-- time only: order_dow is Instacart's weekday code, not a calendar date.
with

cells as (
    select
        order_dow,
        order_hour_of_day,
        order_count,
        order_share
    from {{ ref('mart_order_timing') }}
),

margins as (
    select
        order_dow,
        order_hour_of_day,
        order_count,
        order_share,
        sum(order_count) over (partition by order_dow) as dow_orders,
        sum(order_count) over (partition by order_hour_of_day) as hour_orders,
        sum(order_count) over () as all_orders,
        count(*) over () as cell_count
    from cells
),

fitted as (
    select
        order_dow,
        order_hour_of_day,
        order_count,
        order_share,
        {{ safe_divide('dow_orders', 'all_orders') }} as dow_share,
        {{ safe_divide('hour_orders', 'all_orders') }} as hour_share,
        {{ safe_divide('dow_orders * hour_orders', 'all_orders') }} as fitted_order_count,
        {{ safe_divide('all_orders', 'cell_count') }} as mean_cell_orders
    from margins
),

final as (
    select
        order_dow,
        order_hour_of_day,
        order_count,
        order_share,
        dow_share,
        hour_share,
        fitted_order_count,
        fitted_order_count / nullif(mean_cell_orders, 0) as seasonal_index,
        order_count / nullif(mean_cell_orders, 0) as observed_index,
        order_count - fitted_order_count as residual_order_count
    from fitted
)

select
    order_dow,
    order_hour_of_day,
    order_count,
    order_share,
    dow_share,
    hour_share,
    fitted_order_count,
    seasonal_index,
    observed_index,
    residual_order_count
from final
