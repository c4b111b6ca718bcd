-- One row per department with prior-order lines: orders containing the department, distinct
-- users, aisles and products, lines, reorder rate, mean cart position, share of lines, order
-- penetration and popularity rank. Prior orders only.
with

prior_lines as (
    select
        order_id,
        product_id,
        user_id,
        add_to_cart_order,
        reordered,
        aisle_id,
        department_id
    from {{ ref('fct_order_lines') }}
    where eval_set = 'prior'
),

prior_orders as (
    select order_id
    from {{ ref('fct_orders') }}
    where eval_set = 'prior'
),

departments as (
    select distinct
        department_id,
        department_name
    from {{ ref('dim_products') }}
),

order_departments as (
    {{ category_order_lines('department_id') }}
),

department_stats as (
    {{ category_stats('department_id', 'order_departments') }}
),

department_catalogue as (
    select
        department_id,
        count(distinct aisle_id) as aisle_count,
        count(distinct product_id) as product_count
    from prior_lines
    group by department_id
),

totals as (
    select
        (select count(*) from prior_orders) as all_prior_orders,
        (select count(*) from prior_lines) as all_prior_lines
),

final as (
    select
        department_stats.department_id,
        departments.department_name,
        cast(department_catalogue.aisle_count as {{ dbt.type_int() }}) as aisle_count,
        cast(department_catalogue.product_count as {{ dbt.type_int() }}) as product_count,
        {{ category_measures('department_stats') }}
    from department_stats
    inner join departments on department_stats.department_id = departments.department_id
    inner join department_catalogue
        on department_stats.department_id = department_catalogue.department_id
    cross join totals
)

select
    department_id,
    department_name,
    aisle_count,
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
    overall_rank
from final
