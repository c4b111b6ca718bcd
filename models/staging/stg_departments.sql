with

source as (
    select
        department_id,
        department
    from {{ validated_source('instacart', 'departments') }}
),

final as (
    select
        cast(department_id as {{ dbt.type_int() }}) as department_id,
        cast(department as {{ dbt.type_string() }}) as department_name
    from source
)

select
    department_id,
    department_name
from final
