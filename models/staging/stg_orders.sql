with

source as (
    select
        order_id,
        user_id,
        eval_set,
        order_number,
        order_dow,
        order_hour_of_day,
        days_since_prior_order
    from {{ validated_source('instacart', 'orders') }}
),

final as (
    select
        cast(order_id as {{ dbt.type_int() }}) as order_id,
        cast(user_id as {{ dbt.type_int() }}) as user_id,
        cast(eval_set as {{ dbt.type_string() }}) as eval_set,
        cast(order_number as {{ dbt.type_int() }}) as order_number,
        cast(order_dow as {{ dbt.type_int() }}) as order_dow,
        cast(order_hour_of_day as {{ dbt.type_int() }}) as order_hour_of_day,
        -- written as 30.0 in the real files; whole days, 30 meaning "30 or more"
        cast(days_since_prior_order as {{ dbt.type_int() }}) as days_since_prior_order
    from source
)

select
    order_id,
    user_id,
    eval_set,
    order_number,
    order_dow,
    order_hour_of_day,
    days_since_prior_order
from final
