-- Day-timeline retention by cohort, as an actuarial life table in 30-day buckets (bucket k =
-- days 30k .. 30k + 29 of days_since_first_order). Cohort = orders placed in the first 30 days
-- (day offsets 0-29, always exact; 4 or more grouped).
-- Event ("lapse"): the user's first gap recorded as 30, i.e. 30 or more days without an order.
-- The 30+ cap is handled by making the capped gap itself the event: it is dated at the day the
-- 30-day threshold was crossed (previous order + 30 = the recorded offset of the order that
-- ends the gap), which is exact because no capped gap precedes it; later, lower-bound offsets
-- are never used. Right-censoring: a user with no lapse is observed only up to the final order
-- (tenure_days, exact) and leaves the table there as censored. Users at risk in bucket k = exit
-- day (lapse or censoring) >= 30k; hazard = lapses / (at risk - censored / 2) (censored users
-- count as half-exposed); retention_rate = product of (1 - hazard) through bucket k.
with

orders as (
    select
        user_id,
        days_since_prior_order,
        days_since_first_order
    from {{ ref('fct_orders') }}
),

users as (
    select
        user_id,
        tenure_days
    from {{ ref('dim_users') }}
),

user_history as (
    select
        user_id,
        sum(case when days_since_first_order < 30 then 1 else 0 end) as first_30d_orders,
        min(case when days_since_prior_order >= 30 then days_since_first_order end)
            as first_lapse_day,
        max(days_since_first_order) as last_order_day
    from orders
    group by user_id
),

user_exits as (
    select
        users.user_id,
        least(4, user_history.first_30d_orders) as cohort_first_30d_orders,
        case when user_history.first_lapse_day is null then 0 else 1 end as lapsed,
        cast(
            floor(coalesce(user_history.first_lapse_day, users.tenure_days) / 30)
            as {{ dbt.type_int() }}
        ) as exit_bucket
    from users
    inner join user_history on users.user_id = user_history.user_id
),

cohort_exits as (
    select
        cohort_first_30d_orders,
        exit_bucket,
        count(*) as exits,
        sum(lapsed) as lapses
    from user_exits
    group by cohort_first_30d_orders, exit_bucket
),

buckets as (
    select distinct cast(floor(days_since_first_order / 30) as {{ dbt.type_int() }}) as day_bucket
    from orders
),

grid as (
    select
        cohorts.cohort_first_30d_orders,
        buckets.day_bucket
    from (select distinct cohort_first_30d_orders from user_exits) as cohorts
    cross join buckets
),

life_table as (
    select
        grid.cohort_first_30d_orders,
        grid.day_bucket,
        sum(cohort_exits.exits) as cohort_users,
        sum(case
            when cohort_exits.exit_bucket >= grid.day_bucket then cohort_exits.exits else 0
        end) as users_at_risk,
        sum(case
            when cohort_exits.exit_bucket = grid.day_bucket then cohort_exits.lapses else 0
        end) as users_lapsed,
        sum(case
            when cohort_exits.exit_bucket = grid.day_bucket
                then cohort_exits.exits - cohort_exits.lapses
            else 0
        end) as users_censored
    from grid
    inner join cohort_exits
        on grid.cohort_first_30d_orders = cohort_exits.cohort_first_30d_orders
    group by grid.cohort_first_30d_orders, grid.day_bucket
),

hazards as (
    select
        cohort_first_30d_orders,
        day_bucket,
        cohort_users,
        users_at_risk,
        users_lapsed,
        users_censored,
        {{ safe_divide('users_lapsed', 'users_at_risk - users_censored / 2.0') }} as lapse_rate
    from life_table
),

survival as (
    select
        cohort_first_30d_orders,
        day_bucket,
        cohort_users,
        users_at_risk,
        users_lapsed,
        users_censored,
        lapse_rate,
        -- running product of (1 - lapse_rate) as exp(sum(ln(...))); 0 once a bucket loses all
        max(case when lapse_rate >= 1 then 1 else 0 end) over (
            partition by cohort_first_30d_orders
            order by day_bucket
            rows between unbounded preceding and current row
        ) as has_full_lapse,
        sum(case when lapse_rate < 1 then ln(1 - lapse_rate) else 0 end) over (
            partition by cohort_first_30d_orders
            order by day_bucket
            rows between unbounded preceding and current row
        ) as log_survival
    from hazards
),

final as (
    select
        cast(cohort_first_30d_orders as {{ dbt.type_int() }}) as cohort_first_30d_orders,
        case
            when cohort_first_30d_orders >= 4 then '4+ orders in first 30 days'
            when cohort_first_30d_orders = 1 then '1 order in first 30 days'
            else {{ dbt.concat([
                'cast(cohort_first_30d_orders as ' ~ dbt.type_string() ~ ')',
                "' orders in first 30 days'"
            ]) }}
        end as cohort_label,
        cast(day_bucket as {{ dbt.type_int() }}) as day_bucket,
        cast(day_bucket * 30 as {{ dbt.type_int() }}) as bucket_start_day,
        cast(day_bucket * 30 + 29 as {{ dbt.type_int() }}) as bucket_end_day,
        cast(cohort_users as {{ dbt.type_int() }}) as cohort_users,
        cast(users_at_risk as {{ dbt.type_int() }}) as users_at_risk,
        cast(users_lapsed as {{ dbt.type_int() }}) as users_lapsed,
        cast(users_censored as {{ dbt.type_int() }}) as users_censored,
        cast(users_at_risk - users_lapsed - users_censored as {{ dbt.type_int() }})
            as users_retained,
        cast(lapse_rate as {{ type_double() }}) as lapse_rate,
        cast(case
            when users_at_risk = 0 then null
            when has_full_lapse = 1 then 0.0
            else exp(log_survival)
        end as {{ type_double() }}) as retention_rate
    from survival
    where users_at_risk > 0
)

select
    cohort_first_30d_orders,
    cohort_label,
    day_bucket,
    bucket_start_day,
    bucket_end_day,
    cohort_users,
    users_at_risk,
    users_lapsed,
    users_censored,
    users_retained,
    lapse_rate,
    retention_rate
from final
