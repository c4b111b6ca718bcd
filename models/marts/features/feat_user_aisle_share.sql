-- One row per (user, aisle the user bought from in prior orders): the aisle's share of the
-- user's prior lines. The sparse user x aisle matrix that ml.segments reduces with PCA.
with

prior_lines as (
    select
        user_id,
        aisle_id
    from {{ ref('fct_order_lines') }}
    where eval_set = 'prior'
),

aisle_lines as (
    select
        user_id,
        aisle_id,
        count(*) as aisle_lines
    from prior_lines
    group by user_id, aisle_id
),

user_lines as (
    select
        user_id,
        sum(aisle_lines) as line_count
    from aisle_lines
    group by user_id
),

final as (
    select
        aisle_lines.user_id,
        aisle_lines.aisle_id,
        cast(aisle_lines.aisle_lines as {{ dbt.type_int() }}) as aisle_lines,
        {{ safe_divide('aisle_lines.aisle_lines', 'user_lines.line_count') }} as aisle_share
    from aisle_lines
    inner join user_lines on aisle_lines.user_id = user_lines.user_id
)

select
    user_id,
    aisle_id,
    aisle_lines,
    aisle_share
from final
