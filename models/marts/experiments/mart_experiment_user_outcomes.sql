-- One row per (experiment, assigned user): pre-period covariates (orders up to and including
-- assigned_at_order) and post-period outcomes (orders after it), the input of ml.experiments.
-- Post-period basket outcomes use the prior orders after assignment: the final order is left
-- out because test users' final baskets are not published. orders_within_30d counts every
-- later order (any eval_set) placed at most 30 days after the assignment order on the user's
-- own clock. The segment is the pre-period cadence (mean days_since_prior_order up to the
-- assignment): frequent (<= 10), regular (<= 20), occasional; ml/synthetic/campaign.py plants
-- its effects by the same rule.
with

assignments as (
    select
        user_id,
        experiment,
        variant,
        assigned_at_order
    from {{ ref('stg_experiment_assignments') }}
),

orders as (
    select
        user_id,
        eval_set,
        order_number,
        days_since_prior_order,
        days_since_first_order,
        basket_size,
        reordered_lines
    from {{ ref('fct_orders') }}
),

assigned_orders as (
    select
        assignments.experiment,
        assignments.user_id,
        assignments.assigned_at_order,
        orders.eval_set,
        orders.order_number,
        orders.days_since_prior_order,
        orders.days_since_first_order,
        orders.basket_size,
        orders.reordered_lines,
        max(
            case
                when orders.order_number = assignments.assigned_at_order
                    then orders.days_since_first_order
            end
        ) over (partition by assignments.experiment, assignments.user_id) as assigned_day
    from assignments
    inner join orders on assignments.user_id = orders.user_id
),

per_user as (
    select
        experiment,
        user_id,
        sum(case when order_number <= assigned_at_order then 1 else 0 end) as pre_orders,
        sum(
            case when order_number <= assigned_at_order then basket_size else 0 end
        ) as pre_items,
        sum(
            case when order_number <= assigned_at_order then reordered_lines else 0 end
        ) as pre_reordered_lines,
        avg(
            case when order_number <= assigned_at_order then days_since_prior_order end
        ) as pre_mean_gap_days,
        sum(
            case
                when
                    order_number < assigned_at_order
                    and assigned_day - days_since_first_order <= 30
                    then 1
                else 0
            end
        ) as pre_orders_within_30d,
        max(assigned_day) as assigned_day,
        sum(
            case when order_number > assigned_at_order and eval_set = 'prior' then 1 else 0 end
        ) as post_orders,
        sum(
            case
                when order_number > assigned_at_order and eval_set = 'prior' then basket_size
                else 0
            end
        ) as post_items,
        sum(
            case
                when order_number > assigned_at_order and eval_set = 'prior' then reordered_lines
                else 0
            end
        ) as post_reordered_lines,
        sum(
            case
                when
                    order_number > assigned_at_order
                    and days_since_first_order - assigned_day <= 30
                    then 1
                else 0
            end
        ) as orders_within_30d
    from assigned_orders
    group by experiment, user_id
),

final as (
    select
        assignments.experiment,
        assignments.user_id,
        assignments.variant,
        case when assignments.variant = 'treatment' then 1 else 0 end as is_treatment,
        assignments.assigned_at_order,
        case
            when per_user.pre_mean_gap_days <= 10 then 'frequent'
            when per_user.pre_mean_gap_days <= 20 then 'regular'
            else 'occasional'
        end as segment,
        cast(per_user.pre_orders as {{ dbt.type_int() }}) as pre_orders,
        {{ safe_divide('per_user.pre_items', 'per_user.pre_orders') }} as pre_items_per_order,
        {{ safe_divide('per_user.pre_reordered_lines', 'per_user.pre_items') }} as pre_reorder_rate,
        cast(per_user.pre_mean_gap_days as {{ type_double() }}) as pre_mean_gap_days,
        cast(per_user.pre_orders_within_30d as {{ dbt.type_int() }}) as pre_orders_within_30d,
        cast(per_user.assigned_day as {{ dbt.type_int() }}) as assigned_day,
        cast(per_user.post_orders as {{ dbt.type_int() }}) as post_orders,
        cast(per_user.post_items as {{ dbt.type_int() }}) as post_items,
        cast(per_user.post_reordered_lines as {{ dbt.type_int() }}) as post_reordered_lines,
        {{ safe_divide('per_user.post_items', 'per_user.post_orders') }} as items_per_order,
        {{ safe_divide('per_user.post_reordered_lines', 'per_user.post_items') }} as reorder_rate,
        cast(per_user.orders_within_30d as {{ dbt.type_int() }}) as orders_within_30d
    from assignments
    inner join per_user
        on
            assignments.experiment = per_user.experiment
            and assignments.user_id = per_user.user_id
)

select
    experiment,
    user_id,
    variant,
    is_treatment,
    assigned_at_order,
    segment,
    pre_orders,
    pre_items_per_order,
    pre_reorder_rate,
    pre_mean_gap_days,
    pre_orders_within_30d,
    assigned_day,
    post_orders,
    post_items,
    post_reordered_lines,
    items_per_order,
    reorder_rate,
    orders_within_30d
from final
