with

source as (
    select
        aisle_id,
        aisle
    from {{ validated_source('instacart', 'aisles') }}
),

final as (
    select
        cast(aisle_id as {{ dbt.type_int() }}) as aisle_id,
        cast(aisle as {{ dbt.type_string() }}) as aisle_name
    from source
)

select
    aisle_id,
    aisle_name
from final
