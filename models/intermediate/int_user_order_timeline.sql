-- Each order placed on its user's own clock. There are no calendar dates in the data, so a
-- user's timeline is the running sum of days_since_prior_order from their first order (day 0).
-- days_since_prior_order is capped at 30 ("30 or more"), so offsets are lower bounds once a
-- capped gap occurs; has_capped_gap_before marks that.
with

orders as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order
    from {{ ref('stg_orders') }}
),

timeline as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order,
        sum(coalesce(days_since_prior_order, 0)) over (
            partition by user_id
            order by order_number
            rows between unbounded preceding and current row
        ) as days_since_first_order,
        max(case when days_since_prior_order >= 30 then 1 else 0 end) over (
            partition by user_id
            order by order_number
            rows between unbounded preceding and current row
        ) as capped_gaps_so_far,
        count(*) over (partition by user_id) as user_order_count
    from orders
),

final as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order,
        cast(days_since_first_order as {{ dbt.type_int() }}) as days_since_first_order,
        capped_gaps_so_far = 1 as has_capped_gap_before,
        cast(user_order_count as {{ dbt.type_int() }}) as user_order_count,
        cast(user_order_count - order_number as {{ dbt.type_int() }}) as orders_until_final,
        order_number = 1 as is_first_order,
        order_number = user_order_count as is_final_order
    from timeline
)

select
    order_id,
    user_id,
    eval_set,
    order_number,
    order_dow,
    order_hour_of_day,
    days_since_prior_order,
    days_since_first_order,
    has_capped_gap_before,
    user_order_count,
    orders_until_final,
    is_first_order,
    is_final_order
from final
