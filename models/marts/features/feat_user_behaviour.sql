-- One row per user: shopping behaviour over the user's prior orders (every order before the
-- final one), the inputs of the behavioural clusters (ml.segments). Cadence, basket size,
-- reorder habit, hour and weekday preference and regularity, organic share, product and
-- department breadth. Unlike feat_user (as of each reorder target) this is one profile per
-- user, so clusters describe customers rather than training rows.
with

prior_orders as (
    select
        user_id,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order,
        basket_size,
        reordered_lines
    from {{ ref('fct_orders') }}
    where eval_set = 'prior'
),

prior_lines as (
    select
        order_lines.user_id,
        order_lines.product_id,
        order_lines.department_id,
        products.product_name
    from {{ ref('fct_order_lines') }} as order_lines
    inner join {{ ref('dim_products') }} as products
        on order_lines.product_id = products.product_id
    where order_lines.eval_set = 'prior'
),

order_stats as (
    select
        user_id,
        count(*) as orders,
        avg(basket_size) as mean_basket_size,
        stddev_samp(basket_size) as std_basket_size,
        sum(case when order_number > 1 then reordered_lines end) as later_reordered_lines,
        sum(case when order_number > 1 then basket_size end) as later_lines,
        avg(days_since_prior_order) as mean_days_between_orders,
        stddev_samp(days_since_prior_order) as std_days_between_orders,
        avg(
            case
                when days_since_prior_order >= 30 then cast(1 as {{ type_double() }})
                when days_since_prior_order >= 0 then cast(0 as {{ type_double() }})
            end
        ) as capped_gap_share,
        avg(order_hour_of_day) as mean_order_hour,
        stddev_samp(order_hour_of_day) as std_order_hour,
        {{ share_where("order_hour_of_day between 5 and 11") }}
            as morning_order_share,
        {{ share_where("order_hour_of_day between 12 and 16") }}
            as afternoon_order_share,
        {{ share_where("order_hour_of_day between 17 and 20") }}
            as evening_order_share,
        {{ share_where("order_hour_of_day >= 21 or order_hour_of_day <= 4") }}
            as night_order_share,
        {{ share_where("order_dow in (0, 1)") }} as weekend_order_share
    from prior_orders
    group by user_id
),

weekday_counts as (
    select
        user_id,
        order_dow,
        count(*) as weekday_orders
    from prior_orders
    group by user_id, order_dow
),

weekday_stats as (
    -- regularity of the weekday: share of orders on the user's most frequent weekday
    select
        user_id,
        max(weekday_orders) as top_weekday_orders
    from weekday_counts
    group by user_id
),

line_stats as (
    select
        user_id,
        count(*) as line_count,
        count(distinct product_id) as distinct_products,
        count(distinct department_id) as distinct_departments,
        sum(case when lower(product_name) like '%organic%' then 1 else 0 end) as organic_lines
    from prior_lines
    group by user_id
),

department_counts as (
    select
        user_id,
        department_id,
        count(*) as department_lines
    from prior_lines
    group by user_id, department_id
),

department_shares as (
    select
        department_counts.user_id,
        {{ safe_divide('department_counts.department_lines', 'line_stats.line_count') }}
            as department_share
    from department_counts
    inner join line_stats on department_counts.user_id = line_stats.user_id
),

department_entropy as (
    -- Shannon entropy (nats) of the user's department shares: breadth weighted by volume
    select
        user_id,
        -sum(department_share * ln(department_share)) as department_entropy
    from department_shares
    group by user_id
),

final as (
    select
        order_stats.user_id,
        cast(order_stats.orders as {{ dbt.type_int() }}) as prior_orders,
        cast(order_stats.mean_days_between_orders as {{ type_double() }})
            as mean_days_between_orders,
        cast(order_stats.std_days_between_orders as {{ type_double() }}) as std_days_between_orders,
        cast(order_stats.capped_gap_share as {{ type_double() }}) as capped_gap_share,
        cast(order_stats.mean_basket_size as {{ type_double() }}) as mean_basket_size,
        cast(order_stats.std_basket_size as {{ type_double() }}) as std_basket_size,
        {{ safe_divide('order_stats.later_reordered_lines', 'order_stats.later_lines') }}
            as reorder_ratio,
        cast(order_stats.mean_order_hour as {{ type_double() }}) as mean_order_hour,
        cast(order_stats.std_order_hour as {{ type_double() }}) as std_order_hour,
        cast(order_stats.morning_order_share as {{ type_double() }}) as morning_order_share,
        cast(order_stats.afternoon_order_share as {{ type_double() }}) as afternoon_order_share,
        cast(order_stats.evening_order_share as {{ type_double() }}) as evening_order_share,
        cast(order_stats.night_order_share as {{ type_double() }}) as night_order_share,
        cast(order_stats.weekend_order_share as {{ type_double() }}) as weekend_order_share,
        {{ safe_divide('weekday_stats.top_weekday_orders', 'order_stats.orders') }}
            as top_weekday_share,
        {{ safe_divide('line_stats.organic_lines', 'line_stats.line_count') }} as organic_share,
        {{ safe_divide('line_stats.distinct_products', 'line_stats.line_count') }}
            as distinct_product_share,
        cast(line_stats.distinct_departments as {{ dbt.type_int() }}) as distinct_departments,
        cast(department_entropy.department_entropy as {{ type_double() }}) as department_entropy
    from order_stats
    inner join weekday_stats on order_stats.user_id = weekday_stats.user_id
    inner join line_stats on order_stats.user_id = line_stats.user_id
    inner join department_entropy on order_stats.user_id = department_entropy.user_id
)

select
    user_id,
    prior_orders,
    mean_days_between_orders,
    std_days_between_orders,
    capped_gap_share,
    mean_basket_size,
    std_basket_size,
    reorder_ratio,
    mean_order_hour,
    std_order_hour,
    morning_order_share,
    afternoon_order_share,
    evening_order_share,
    night_order_share,
    weekend_order_share,
    top_weekday_share,
    organic_share,
    distinct_product_share,
    distinct_departments,
    department_entropy
from final
