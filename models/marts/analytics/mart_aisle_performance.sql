-- One row per aisle with prior-order lines: orders containing the aisle, distinct users and
-- products, lines, reorder rate, mean cart position, share of lines, order penetration and
-- popularity ranks overall and within the department. Prior orders only.
with

prior_lines as (
    select
        order_id,
        product_id,
        user_id,
        add_to_cart_order,
        reordered,
        aisle_id
    from {{ ref('fct_order_lines') }}
    where eval_set = 'prior'
),

prior_orders as (
    select order_id
    from {{ ref('fct_orders') }}
    where eval_set = 'prior'
),

aisles as (
    select distinct
        aisle_id,
        aisle_name,
        department_id,
        department_name
    from {{ ref('dim_products') }}
),

order_aisles as (
    {{ category_order_lines('aisle_id') }}
),

aisle_stats as (
    {{ category_stats('aisle_id', 'order_aisles') }}
),

aisle_products as (
    select
        aisle_id,
        count(distinct product_id) as product_count
    from prior_lines
    group by aisle_id
),

totals as (
    select
        (select count(*) from prior_orders) as all_prior_orders,
        (select count(*) from prior_lines) as all_prior_lines
),

final as (
    select
        aisle_stats.aisle_id,
        aisles.aisle_name,
        aisles.department_id,
        aisles.department_name,
        cast(aisle_products.product_count as {{ dbt.type_int() }}) as product_count,
        {{ category_measures('aisle_stats') }},
        cast(rank() over (
            partition by aisles.department_id
            order by aisle_stats.order_count desc
        ) as {{ dbt.type_int() }}) as rank_in_department
    from aisle_stats
    inner join aisles on aisle_stats.aisle_id = aisles.aisle_id
    inner join aisle_products on aisle_stats.aisle_id = aisle_products.aisle_id
    cross join totals
)

select
    aisle_id,
    aisle_name,
    department_id,
    department_name,
    product_count,
    order_count,
    user_count,
    line_count,
    reordered_lines,
    reorder_rate,
    mean_add_to_cart_order,
    mean_lines_per_order,
    line_share,
    order_penetration,
    overall_rank,
    rank_in_department
from final
