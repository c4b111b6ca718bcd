-- One row per customer: their history up to (not including) the final order, and the final
-- order itself (train = labelled, test = to predict). Only prior orders feed the history
-- measures so they are free of the final order's lines.
with

orders as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order,
        days_since_first_order,
        is_final_order,
        basket_size,
        reordered_lines
    from {{ ref('fct_orders') }}
),

prior_lines as (
    select
        user_id,
        product_id
    from {{ ref('fct_order_lines') }}
    where eval_set = 'prior'
),

history as (
    select
        user_id,
        count(*) as prior_order_count,
        sum(basket_size) as prior_line_count,
        avg(basket_size) as mean_basket_size,
        {{ safe_divide('sum(reordered_lines)', 'sum(basket_size)') }} as reordered_share,
        avg(days_since_prior_order) as mean_days_between_orders
    from orders
    where eval_set = 'prior'
    group by user_id
),

distinct_products as (
    select
        user_id,
        count(distinct product_id) as distinct_products
    from prior_lines
    group by user_id
),

final_orders as (
    select
        user_id,
        order_id as final_order_id,
        eval_set as final_eval_set,
        order_number as order_count,
        order_dow as final_order_dow,
        order_hour_of_day as final_order_hour_of_day,
        days_since_prior_order as final_days_since_prior_order,
        days_since_first_order as tenure_days
    from orders
    where is_final_order
),

final as (
    select
        final_orders.user_id,
        cast(final_orders.order_count as {{ dbt.type_int() }}) as order_count,
        cast(history.prior_order_count as {{ dbt.type_int() }}) as prior_order_count,
        cast(history.prior_line_count as {{ dbt.type_int() }}) as prior_line_count,
        cast(distinct_products.distinct_products as {{ dbt.type_int() }}) as distinct_products,
        cast(history.mean_basket_size as {{ type_double() }}) as mean_basket_size,
        cast(history.reordered_share as {{ type_double() }}) as reordered_share,
        cast(history.mean_days_between_orders as {{ type_double() }})
            as mean_days_between_orders,
        final_orders.tenure_days,
        final_orders.final_order_id,
        final_orders.final_eval_set,
        final_orders.final_order_dow,
        final_orders.final_order_hour_of_day,
        final_orders.final_days_since_prior_order
    from final_orders
    inner join history on final_orders.user_id = history.user_id
    left join distinct_products on final_orders.user_id = distinct_products.user_id
)

select
    user_id,
    order_count,
    prior_order_count,
    prior_line_count,
    distinct_products,
    mean_basket_size,
    reordered_share,
    mean_days_between_orders,
    tenure_days,
    final_order_id,
    final_eval_set,
    final_order_dow,
    final_order_hour_of_day,
    final_days_since_prior_order
from final
