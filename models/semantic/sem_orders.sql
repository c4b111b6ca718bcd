-- Orders for the semantic layer: fct_orders with its day on the customer's own clock as a date
-- (customer_clock_date), which MetricFlow needs as a time dimension.
with

orders as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_first_order,
        is_first_order,
        basket_size,
        reordered_lines
    from {{ ref('fct_orders') }}
),

final as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_first_order,
        {{ customer_clock_date('days_since_first_order') }} as customer_day,
        is_first_order,
        basket_size,
        reordered_lines,
        case when basket_size is null then 0 else 1 end as has_lines
    from orders
)

select
    order_id,
    user_id,
    eval_set,
    order_number,
    order_dow,
    order_hour_of_day,
    days_since_first_order,
    customer_day,
    is_first_order,
    basket_size,
    reordered_lines,
    has_lines
from final
