-- Users for the semantic layer: RFM segment and scores, dated at the user's final order on
-- their own clock (the day the segment describes).
with

user_rfm as (
    select
        user_id,
        segment,
        r_score,
        f_score,
        m_score,
        frequency_orders
    from {{ ref('mart_user_rfm') }}
),

final_orders as (
    select
        user_id,
        days_since_first_order
    from {{ ref('fct_orders') }}
    where is_final_order
),

final as (
    select
        user_rfm.user_id,
        user_rfm.segment,
        user_rfm.r_score,
        user_rfm.f_score,
        user_rfm.m_score,
        user_rfm.frequency_orders,
        final_orders.days_since_first_order as final_order_day,
        {{ customer_clock_date('final_orders.days_since_first_order') }} as customer_day
    from user_rfm
    inner join final_orders on user_rfm.user_id = final_orders.user_id
)

select
    user_id,
    segment,
    r_score,
    f_score,
    m_score,
    frequency_orders,
    final_order_day,
    customer_day
from final
