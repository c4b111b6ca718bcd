-- One row per product bought in at least one prior order: orders, distinct users, reorder rate,
-- mean cart position and popularity ranks overall, within its aisle and within its department.
-- Prior orders only (the same basis as mart_product_pairs; final-order lines are the labels of
-- the reorder model and stay out of catalogue statistics).
with

prior_lines as (
    select
        order_id,
        product_id,
        add_to_cart_order,
        reordered,
        purchase_sequence
    from {{ ref('fct_order_lines') }}
    where eval_set = 'prior'
),

prior_orders as (
    select order_id
    from {{ ref('fct_orders') }}
    where eval_set = 'prior'
),

products as (
    select
        product_id,
        product_name,
        aisle_id,
        aisle_name,
        department_id,
        department_name
    from {{ ref('dim_products') }}
),

product_stats as (
    select
        product_id,
        count(*) as order_count,
        -- a user's first purchase of a product is always a prior line, so this counts the
        -- distinct buyers without a distinct aggregate (4x cheaper at full scale)
        sum(case when purchase_sequence = 1 then 1 else 0 end) as user_count,
        sum(reordered) as reordered_lines,
        sum(case when purchase_sequence = 2 then 1 else 0 end) as repeat_users,
        avg(add_to_cart_order) as mean_add_to_cart_order
    from prior_lines
    group by product_id
),

totals as (
    select count(*) as all_prior_orders
    from prior_orders
),

final as (
    select
        product_stats.product_id,
        products.product_name,
        products.aisle_id,
        products.aisle_name,
        products.department_id,
        products.department_name,
        cast(product_stats.order_count as {{ dbt.type_int() }}) as order_count,
        cast(product_stats.user_count as {{ dbt.type_int() }}) as user_count,
        cast(product_stats.reordered_lines as {{ dbt.type_int() }}) as reordered_lines,
        {{ safe_divide('product_stats.reordered_lines', 'product_stats.order_count') }}
            as reorder_rate,
        {{ safe_divide('product_stats.repeat_users', 'product_stats.user_count') }}
            as repeat_user_share,
        {{ safe_divide('product_stats.order_count', 'totals.all_prior_orders') }} as order_share,
        cast(product_stats.mean_add_to_cart_order as {{ type_double() }})
            as mean_add_to_cart_order,
        cast(rank() over (order by product_stats.order_count desc) as {{ dbt.type_int() }})
            as overall_rank,
        cast(rank() over (
            partition by products.aisle_id
            order by product_stats.order_count desc
        ) as {{ dbt.type_int() }}) as rank_in_aisle,
        cast(rank() over (
            partition by products.department_id
            order by product_stats.order_count desc
        ) as {{ dbt.type_int() }}) as rank_in_department
    from product_stats
    inner join products on product_stats.product_id = products.product_id
    cross join totals
)

select
    product_id,
    product_name,
    aisle_id,
    aisle_name,
    department_id,
    department_name,
    order_count,
    user_count,
    reordered_lines,
    reorder_rate,
    repeat_user_share,
    order_share,
    mean_add_to_cart_order,
    overall_rank,
    rank_in_aisle,
    rank_in_department
from final
