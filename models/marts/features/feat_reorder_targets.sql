-- One row per (user, target_offset): the order the reorder features are computed for.
-- target_offset 0 = the user's final order (train = labelled, test = to predict); 1 = the
-- user's last prior order (training-data augmentation, built while the var
-- reorder_augment_prior_target is true). A target's history is every earlier order of the
-- user (macro feature_history_condition), so a target needs at least one earlier order.
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
        orders_until_final
    from {{ ref('fct_orders') }}
),

final as (
    select
        user_id,
        cast(orders_until_final as {{ dbt.type_int() }}) as target_offset,
        order_id,
        eval_set,
        order_number as target_order_number,
        cast(order_number - 1 as {{ dbt.type_int() }}) as history_orders,
        order_dow,
        order_hour_of_day,
        days_since_prior_order,
        days_since_first_order
    from orders
    where
        orders_until_final in ({{ feature_target_offsets() | join(', ') }})
        and order_number > 1
)

select
    user_id,
    target_offset,
    order_id,
    eval_set,
    target_order_number,
    history_orders,
    order_dow,
    order_hour_of_day,
    days_since_prior_order,
    days_since_first_order
from final
