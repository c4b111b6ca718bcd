-- Product affinity over prior orders: every pair of products bought together in at least
-- greatest(var('min_pair_orders'), ceil(var('min_pair_support') x prior orders)) baskets, with
-- support, confidence in both directions and lift. The support term makes the threshold grow
-- with the data (20 on small sets, about 160 at full scale), which keeps rare pairs with huge,
-- unstable lifts out of the ranking.
-- Memory-safe at full scale: a pair can only reach the threshold when both products are in at
-- least that many orders, so lines are pruned to those products before the self-join on
-- order_id; product_a_id < product_b_id counts each unordered pair once. Products bought by
-- fewer than var('min_pair_product_users') distinct users are left out too: their pairs are one
-- household's habits (a heavy user buying the same two niche items every week), which would
-- otherwise fill the top of the lift ranking.
{%- set min_pair_orders = var('min_pair_orders') %}
{%- set min_pair_support = var('min_pair_support') %}
{%- set min_pair_product_users = var('min_pair_product_users') %}
with

prior_lines as (
    select
        order_id,
        product_id,
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
        product_name
    from {{ ref('dim_products') }}
),

-- A user's first purchase of a product is always a prior line (prior orders precede the final
-- one), so lines with purchase_sequence = 1 count distinct users without a distinct aggregate.
product_orders as (
    select
        product_id,
        count(*) as product_order_count,
        sum(case when purchase_sequence = 1 then 1 else 0 end) as product_user_count
    from prior_lines
    group by product_id
),

thresholds as (
    select
        greatest(
            {{ min_pair_orders }},
            cast(ceil({{ min_pair_support }} * count(*)) as {{ dbt.type_int() }})
        ) as min_pair_orders
    from prior_orders
),

frequent_products as (
    select
        product_orders.product_id,
        product_orders.product_order_count
    from product_orders
    cross join thresholds
    where
        product_orders.product_order_count >= thresholds.min_pair_orders
        and product_orders.product_user_count >= {{ min_pair_product_users }}
),

pruned_lines as (
    select
        prior_lines.order_id,
        prior_lines.product_id
    from prior_lines
    inner join frequent_products on prior_lines.product_id = frequent_products.product_id
),

all_pair_counts as (
    select
        line_a.product_id as product_a_id,
        line_b.product_id as product_b_id,
        count(*) as pair_order_count
    from pruned_lines as line_a
    inner join pruned_lines as line_b
        on
            line_a.order_id = line_b.order_id
            and line_a.product_id < line_b.product_id
    group by line_a.product_id, line_b.product_id
),

pair_counts as (
    select
        all_pair_counts.product_a_id,
        all_pair_counts.product_b_id,
        all_pair_counts.pair_order_count,
        thresholds.min_pair_orders
    from all_pair_counts
    cross join thresholds
    where all_pair_counts.pair_order_count >= thresholds.min_pair_orders
),

totals as (
    select count(*) as all_prior_orders
    from prior_orders
),

metrics as (
    select
        pair_counts.product_a_id,
        pair_counts.product_b_id,
        pair_counts.pair_order_count,
        pair_counts.min_pair_orders,
        product_a.product_order_count as product_a_order_count,
        product_b.product_order_count as product_b_order_count,
        totals.all_prior_orders,
        {{ pair_metrics(
            'pair_counts.pair_order_count',
            'product_a.product_order_count',
            'product_b.product_order_count',
            'totals.all_prior_orders'
        ) }}
    from pair_counts
    inner join frequent_products as product_a
        on pair_counts.product_a_id = product_a.product_id
    inner join frequent_products as product_b
        on pair_counts.product_b_id = product_b.product_id
    cross join totals
),

final as (
    select
        metrics.product_a_id,
        product_a.product_name as product_a_name,
        metrics.product_b_id,
        product_b.product_name as product_b_name,
        cast(metrics.pair_order_count as {{ dbt.type_int() }}) as pair_order_count,
        cast(metrics.product_a_order_count as {{ dbt.type_int() }}) as product_a_order_count,
        cast(metrics.product_b_order_count as {{ dbt.type_int() }}) as product_b_order_count,
        cast(metrics.all_prior_orders as {{ dbt.type_int() }}) as prior_order_count,
        metrics.support,
        metrics.confidence_a_to_b,
        metrics.confidence_b_to_a,
        metrics.lift,
        cast(metrics.min_pair_orders as {{ dbt.type_int() }}) as min_pair_orders_applied,
        cast(row_number() over (
            order by
                metrics.lift desc,
                metrics.pair_order_count desc,
                metrics.product_a_id asc,
                metrics.product_b_id asc
        ) as {{ dbt.type_int() }}) as lift_rank
    from metrics
    inner join products as product_a on metrics.product_a_id = product_a.product_id
    inner join products as product_b on metrics.product_b_id = product_b.product_id
)

select
    product_a_id,
    product_a_name,
    product_b_id,
    product_b_name,
    pair_order_count,
    product_a_order_count,
    product_b_order_count,
    prior_order_count,
    support,
    confidence_a_to_b,
    confidence_b_to_a,
    lift,
    min_pair_orders_applied,
    lift_rank
from final
