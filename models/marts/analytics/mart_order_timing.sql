-- Orders and reorder share by day of week x hour of day: all 7 x 24 cells, empty ones with 0
-- orders. Order counts include every order (prior, train, test); basket and reorder measures
-- use the orders whose lines are published (prior and train).
with

orders as (
    select
        order_id,
        order_dow,
        order_hour_of_day,
        is_first_order,
        basket_size,
        reordered_lines
    from {{ ref('fct_orders') }}
),

weekdays as (
    {{ integer_series(0, 6, 'order_dow') }}
),

hours as (
    {{ integer_series(0, 23, 'order_hour_of_day') }}
),

grid as (
    select
        weekdays.order_dow,
        hours.order_hour_of_day
    from weekdays
    cross join hours
),

cells as (
    select
        order_dow,
        order_hour_of_day,
        count(*) as order_count,
        sum(case when is_first_order then 1 else 0 end) as first_order_count,
        count(basket_size) as orders_with_lines,
        sum(basket_size) as line_count,
        sum(reordered_lines) as reordered_lines
    from orders
    group by order_dow, order_hour_of_day
),

totals as (
    select count(*) as all_orders
    from orders
),

final as (
    select
        grid.order_dow,
        grid.order_hour_of_day,
        cast(coalesce(cells.order_count, 0) as {{ dbt.type_int() }}) as order_count,
        coalesce({{ safe_divide('cells.order_count', 'totals.all_orders') }}, 0) as order_share,
        cast(coalesce(cells.first_order_count, 0) as {{ dbt.type_int() }}) as first_order_count,
        cast(coalesce(cells.orders_with_lines, 0) as {{ dbt.type_int() }}) as orders_with_lines,
        cast(coalesce(cells.line_count, 0) as {{ dbt.type_int() }}) as line_count,
        cast(coalesce(cells.reordered_lines, 0) as {{ dbt.type_int() }}) as reordered_lines,
        {{ safe_divide('cells.line_count', 'cells.orders_with_lines') }} as mean_basket_size,
        {{ safe_divide('cells.reordered_lines', 'cells.line_count') }} as reordered_share
    from grid
    cross join totals
    left join cells
        on
            grid.order_dow = cells.order_dow
            and grid.order_hour_of_day = cells.order_hour_of_day
)

select
    order_dow,
    order_hour_of_day,
    order_count,
    order_share,
    first_order_count,
    orders_with_lines,
    line_count,
    reordered_lines,
    mean_basket_size,
    reordered_share
from final
