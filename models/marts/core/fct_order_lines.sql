-- One row per order line (prior and train orders; test orders publish no lines).
with

order_lines as (
    select
        order_id,
        product_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_first_order,
        add_to_cart_order,
        reordered,
        purchase_sequence,
        aisle_id,
        department_id
    from {{ ref('int_order_lines') }}
),

final as (
    select
        order_id,
        product_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_first_order,
        add_to_cart_order,
        reordered,
        purchase_sequence,
        purchase_sequence > 1 as is_repeat_purchase,
        aisle_id,
        department_id
    from order_lines
)

select
    order_id,
    product_id,
    user_id,
    eval_set,
    order_number,
    order_dow,
    order_hour_of_day,
    days_since_first_order,
    add_to_cart_order,
    reordered,
    purchase_sequence,
    is_repeat_purchase,
    aisle_id,
    department_id
from final
