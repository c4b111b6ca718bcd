-- The order-number funnel for the semantic layer: users reaching order n next to the users
-- who placed a first order, so retention at order n is a ratio of two sums. Dated at the mean
-- day (on the customers' own clocks) at which order n is placed.
with

funnel as (
    select
        order_number,
        users_reaching,
        cast(round(mean_days_since_first_order) as {{ dbt.type_int() }}) as mean_order_day
    from {{ ref('mart_retention_funnel') }}
),

starting as (
    select users_reaching as users_starting
    from funnel
    where order_number = 1
),

final as (
    select
        funnel.order_number,
        funnel.users_reaching,
        starting.users_starting,
        {{ customer_clock_date('funnel.mean_order_day') }} as customer_day
    from funnel
    cross join starting
)

select
    order_number,
    users_reaching,
    users_starting,
    customer_day
from final
