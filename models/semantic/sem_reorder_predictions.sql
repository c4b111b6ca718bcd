-- Reorder predictions for the semantic layer: each scored candidate of a final order, dated at
-- that order's day on the customer's own clock.
with

predictions as (
    select
        user_id,
        order_id,
        product_id,
        split,
        probability,
        label
    from {{ ref('ml_reorder_predictions') }}
),

orders as (
    select
        order_id,
        days_since_first_order
    from {{ ref('fct_orders') }}
),

final as (
    select
        {{ dbt.concat([
            "cast(predictions.order_id as " ~ dbt.type_string() ~ ")",
            "'-'",
            "cast(predictions.product_id as " ~ dbt.type_string() ~ ")",
        ]) }} as candidate_id,
        predictions.user_id,
        predictions.order_id,
        predictions.product_id,
        predictions.split,
        predictions.probability,
        predictions.label,
        {{ customer_clock_date('orders.days_since_first_order') }} as customer_day
    from predictions
    inner join orders on predictions.order_id = orders.order_id
)

select
    candidate_id,
    user_id,
    order_id,
    product_id,
    split,
    probability,
    label,
    customer_day
from final
