-- One row per catalogue product with its aisle and department names.
with

products as (
    select
        product_id,
        product_name,
        aisle_id,
        department_id
    from {{ ref('stg_products') }}
),

aisles as (
    select
        aisle_id,
        aisle_name
    from {{ ref('stg_aisles') }}
),

departments as (
    select
        department_id,
        department_name
    from {{ ref('stg_departments') }}
),

final as (
    select
        products.product_id,
        products.product_name,
        products.aisle_id,
        aisles.aisle_name,
        products.department_id,
        departments.department_name
    from products
    inner join aisles on products.aisle_id = aisles.aisle_id
    inner join departments on products.department_id = departments.department_id
)

select
    product_id,
    product_name,
    aisle_id,
    aisle_name,
    department_id,
    department_name
from final
