-- Aisle affinity over prior orders: every pair of aisles shopped together in at least
-- var('min_aisle_pair_orders') baskets (defaults to var('min_pair_orders')), with support,
-- confidence in both directions and lift. A basket counts once per aisle however many of the
-- aisle's products it holds; aisle_a_id < aisle_b_id counts each unordered pair once.
{%- set min_pair_orders = var('min_aisle_pair_orders') %}
with

prior_lines as (
    select
        order_id,
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
        aisle_name
    from {{ ref('dim_products') }}
),

order_aisles as (
    select distinct
        order_id,
        aisle_id
    from prior_lines
),

aisle_orders as (
    select
        aisle_id,
        count(*) as aisle_order_count
    from order_aisles
    group by aisle_id
),

frequent_aisles as (
    select
        aisle_id,
        aisle_order_count
    from aisle_orders
    where aisle_order_count >= {{ min_pair_orders }}
),

pruned_order_aisles as (
    select
        order_aisles.order_id,
        order_aisles.aisle_id
    from order_aisles
    inner join frequent_aisles on order_aisles.aisle_id = frequent_aisles.aisle_id
),

pair_counts as (
    select
        aisle_a.aisle_id as aisle_a_id,
        aisle_b.aisle_id as aisle_b_id,
        count(*) as pair_order_count
    from pruned_order_aisles as aisle_a
    inner join pruned_order_aisles as aisle_b
        on
            aisle_a.order_id = aisle_b.order_id
            and aisle_a.aisle_id < aisle_b.aisle_id
    group by aisle_a.aisle_id, aisle_b.aisle_id
    having count(*) >= {{ min_pair_orders }}
),

totals as (
    select count(*) as all_prior_orders
    from prior_orders
),

metrics as (
    select
        pair_counts.aisle_a_id,
        pair_counts.aisle_b_id,
        pair_counts.pair_order_count,
        aisle_a.aisle_order_count as aisle_a_order_count,
        aisle_b.aisle_order_count as aisle_b_order_count,
        totals.all_prior_orders,
        {{ pair_metrics(
            'pair_counts.pair_order_count',
            'aisle_a.aisle_order_count',
            'aisle_b.aisle_order_count',
            'totals.all_prior_orders'
        ) }}
    from pair_counts
    inner join frequent_aisles as aisle_a on pair_counts.aisle_a_id = aisle_a.aisle_id
    inner join frequent_aisles as aisle_b on pair_counts.aisle_b_id = aisle_b.aisle_id
    cross join totals
),

final as (
    select
        metrics.aisle_a_id,
        aisle_a.aisle_name as aisle_a_name,
        metrics.aisle_b_id,
        aisle_b.aisle_name as aisle_b_name,
        cast(metrics.pair_order_count as {{ dbt.type_int() }}) as pair_order_count,
        cast(metrics.aisle_a_order_count as {{ dbt.type_int() }}) as aisle_a_order_count,
        cast(metrics.aisle_b_order_count as {{ dbt.type_int() }}) as aisle_b_order_count,
        cast(metrics.all_prior_orders as {{ dbt.type_int() }}) as prior_order_count,
        metrics.support,
        metrics.confidence_a_to_b,
        metrics.confidence_b_to_a,
        metrics.lift,
        cast(row_number() over (
            order by
                metrics.lift desc,
                metrics.pair_order_count desc,
                metrics.aisle_a_id asc,
                metrics.aisle_b_id asc
        ) as {{ dbt.type_int() }}) as lift_rank
    from metrics
    inner join aisles as aisle_a on metrics.aisle_a_id = aisle_a.aisle_id
    inner join aisles as aisle_b on metrics.aisle_b_id = aisle_b.aisle_id
)

select
    aisle_a_id,
    aisle_a_name,
    aisle_b_id,
    aisle_b_name,
    pair_order_count,
    aisle_a_order_count,
    aisle_b_order_count,
    prior_order_count,
    support,
    confidence_a_to_b,
    confidence_b_to_a,
    lift,
    lift_rank
from final
