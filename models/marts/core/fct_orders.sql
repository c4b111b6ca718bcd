-- One row per order with its place on the user's timeline and its basket measures.
-- Test orders publish no lines, so their basket measures are null (unknown), not 0.
with

timeline as (
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
    from {{ ref('int_user_order_timeline') }}
),

lines as (
    select
        order_id,
        reordered
    from {{ ref('stg_order_products') }}
),

basket as (
    select
        order_id,
        count(*) as basket_size,
        sum(reordered) as reordered_lines
    from lines
    group by order_id
),

final as (
    select
        timeline.order_id,
        timeline.user_id,
        timeline.eval_set,
        timeline.order_number,
        timeline.order_dow,
        timeline.order_hour_of_day,
        timeline.days_since_prior_order,
        timeline.days_since_first_order,
        timeline.has_capped_gap_before,
        timeline.is_first_order,
        timeline.is_final_order,
        timeline.orders_until_final,
        cast(basket.basket_size as {{ dbt.type_int() }}) as basket_size,
        cast(basket.reordered_lines as {{ dbt.type_int() }}) as reordered_lines,
        {{ safe_divide('basket.reordered_lines', 'basket.basket_size') }} as reordered_share
    from timeline
    left join basket on timeline.order_id = basket.order_id
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
    is_first_order,
    is_final_order,
    orders_until_final,
    basket_size,
    reordered_lines,
    reordered_share
from final
