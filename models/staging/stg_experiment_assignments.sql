-- Campaign assignments from the optional experiment_assignments.csv (empty when absent).
with

source as (
    -- qualified: the macro renders the source relation or an empty subquery, and the alias
    -- must be used in both for the lint to pass whether or not the file exists
    select
        assignments.user_id,
        assignments.experiment,
        assignments.variant,
        assignments.assigned_at_order
    from {{ experiment_assignments_source() }} as assignments
),

final as (
    select
        cast(user_id as {{ dbt.type_int() }}) as user_id,
        cast(experiment as {{ dbt.type_string() }}) as experiment,
        cast(lower(trim(variant)) as {{ dbt.type_string() }}) as variant,
        cast(assigned_at_order as {{ dbt.type_int() }}) as assigned_at_order
    from source
)

select
    user_id,
    experiment,
    variant,
    assigned_at_order
from final
