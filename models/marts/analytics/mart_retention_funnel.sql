-- Order-number funnel: for every n from 1 to the largest order count, how many users placed an
-- n-th order, with step conversion (from order n-1) and cumulative conversion (from order 1).
-- Every user has exactly one order numbered n for each n up to their order count, so users
-- reaching order n = orders with order_number = n. The public data holds only users with 4 or
-- more orders: 100% conversion through order 4 is an artefact of that sampling.
with

orders as (
    select
        order_id,
        user_id,
        order_number,
        days_since_prior_order,
        days_since_first_order,
        has_capped_gap_before
    from {{ ref('fct_orders') }}
),

steps as (
    select
        order_number,
        count(*) as users_reaching,
        avg(days_since_prior_order) as mean_days_since_prior_order,
        avg(days_since_first_order) as mean_days_since_first_order,
        {{ share_where("has_capped_gap_before") }} as capped_timeline_share
    from orders
    group by order_number
),

with_neighbours as (
    select
        order_number,
        users_reaching,
        lag(users_reaching) over (order by order_number) as users_reaching_previous,
        lead(users_reaching) over (order by order_number) as users_reaching_next,
        first_value(users_reaching) over (
            order by order_number
            rows between unbounded preceding and current row
        ) as users_starting,
        mean_days_since_prior_order,
        mean_days_since_first_order,
        capped_timeline_share
    from steps
),

final as (
    select
        cast(order_number as {{ dbt.type_int() }}) as order_number,
        cast(users_reaching as {{ dbt.type_int() }}) as users_reaching,
        cast(users_reaching - coalesce(users_reaching_next, 0) as {{ dbt.type_int() }})
            as users_stopping,
        coalesce(
            {{ safe_divide('users_reaching', 'users_reaching_previous') }}, 1.0
        ) as step_conversion,
        {{ safe_divide('users_reaching', 'users_starting') }} as cumulative_conversion,
        {{ safe_divide('users_reaching - coalesce(users_reaching_next, 0)', 'users_reaching') }}
            as stop_rate,
        cast(mean_days_since_prior_order as {{ type_double() }}) as mean_days_since_prior_order,
        cast(mean_days_since_first_order as {{ type_double() }}) as mean_days_since_first_order,
        cast(capped_timeline_share as {{ type_double() }}) as capped_timeline_share
    from with_neighbours
)

select
    order_number,
    users_reaching,
    users_stopping,
    step_conversion,
    cumulative_conversion,
    stop_rate,
    mean_days_since_prior_order,
    mean_days_since_first_order,
    capped_timeline_share
from final
