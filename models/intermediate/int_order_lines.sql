-- Order lines joined to their order (user, position on the user's timeline) and product
-- (aisle, department), with each line's place in the user's history of that product.
-- purchase_sequence = n for the user's n-th order containing the product, so a line is a
-- repeat purchase exactly when purchase_sequence > 1; that must equal the published
-- `reordered` flag (tested).
with

lines as (
    select
        order_id,
        product_id,
        add_to_cart_order,
        reordered,
        eval_set
    from {{ ref('stg_order_products') }}
),

orders as (
    select
        order_id,
        user_id,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_first_order
    from {{ ref('int_user_order_timeline') }}
),

products as (
    select
        product_id,
        aisle_id,
        department_id
    from {{ ref('stg_products') }}
),

joined as (
    select
        lines.order_id,
        lines.product_id,
        orders.user_id,
        lines.eval_set,
        orders.order_number,
        orders.order_dow,
        orders.order_hour_of_day,
        orders.days_since_first_order,
        lines.add_to_cart_order,
        lines.reordered,
        products.aisle_id,
        products.department_id
    from lines
    inner join orders on lines.order_id = orders.order_id
    inner join products on lines.product_id = products.product_id
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
        cast(row_number() over (
            partition by user_id, product_id
            order by order_number
        ) as {{ dbt.type_int() }}) as purchase_sequence,
        aisle_id,
        department_id
    from joined
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
    aisle_id,
    department_id
from final
