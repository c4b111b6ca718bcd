-- Prior and train lines in one model; eval_set says which file a line came from.
with

prior_lines as (
    select
        order_id,
        product_id,
        add_to_cart_order,
        reordered
    from {{ validated_source('instacart', 'order_products__prior') }}
),

train_lines as (
    select
        order_id,
        product_id,
        add_to_cart_order,
        reordered
    from {{ validated_source('instacart', 'order_products__train') }}
),

unioned as (
    select
        order_id,
        product_id,
        add_to_cart_order,
        reordered,
        'prior' as eval_set
    from prior_lines
    union all
    select
        order_id,
        product_id,
        add_to_cart_order,
        reordered,
        'train' as eval_set
    from train_lines
),

final as (
    select
        cast(order_id as {{ dbt.type_int() }}) as order_id,
        cast(product_id as {{ dbt.type_int() }}) as product_id,
        cast(add_to_cart_order as {{ dbt.type_int() }}) as add_to_cart_order,
        cast(reordered as {{ dbt.type_int() }}) as reordered,
        cast(eval_set as {{ dbt.type_string() }}) as eval_set
    from unioned
)

select
    order_id,
    product_id,
    add_to_cart_order,
    reordered,
    eval_set
from final
