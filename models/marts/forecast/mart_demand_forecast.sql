-- Expected reordered units and orders per product, aisle and department within 7 and 14 days
-- of each user's forecast origin (the last prior order; the next order is the final order the
-- reorder model scores). Units of user u and product j = c(h) x P_u(next order within h) x
-- P(j is reordered in it), c(h) the horizon's units calibration (ml.forecast.calibration).
-- An order contains an aisle / department when any of its products is reordered, taken as
-- independent within the basket: 1 - prod(1 - p) = 1 - exp(sum(ln(1 - p))).
{%- set levels = [
    ('product', 'product_id', 'product_name'),
    ('aisle', 'aisle_id', 'aisle_name'),
    ('department', 'department_id', 'department_name'),
] %}
-- ln(1 - p) needs p < 1
{%- set max_probability = 0.999999 %}

with

predictions as (
    select
        run_id,
        user_id,
        product_id,
        probability
    from {{ ref('ml_reorder_predictions') }}
),

order_probabilities as (
    select
        user_id,
        horizon_days,
        elapsed_days,
        order_probability * units_calibration as calibrated_order_weight
    from {{ ref('ml_forecast_order_probability') }}
),

products as (
    select
        product_id,
        product_name,
        aisle_id,
        aisle_name,
        department_id,
        department_name
    from {{ ref('dim_products') }}
),

candidates as (
    -- one probability per (user, product), whichever split scored it (validation, test, train)
    select
        predictions.user_id,
        predictions.product_id,
        products.aisle_id,
        products.department_id,
        avg(predictions.probability) as probability
    from predictions
    inner join products on predictions.product_id = products.product_id
    group by
        predictions.user_id,
        predictions.product_id,
        products.aisle_id,
        products.department_id
),

run as (
    select max(run_id) as run_id
    from predictions
),
{% for level, key, name in levels %}
    user_{{ level }} as (
        select
            user_id,
            {{ key }} as level_id,
            sum(probability) as expected_lines,
            sum(ln(1 - least(probability, {{ max_probability }}))) as log_probability_none
        from candidates
        group by user_id, {{ key }}
    ),

    {{ level }}_names as (
        select distinct
            {{ key }} as level_id,
            {{ name }} as level_name
        from products
    ),

    {{ level }}_forecast as (
        select
            '{{ level }}' as level,  -- noqa: RF04
            user_{{ level }}.level_id,
            {{ level }}_names.level_name,
            order_probabilities.horizon_days,
            order_probabilities.elapsed_days,
            sum(
                order_probabilities.calibrated_order_weight * user_{{ level }}.expected_lines
            ) as expected_units,
            sum(
                order_probabilities.calibrated_order_weight
                * (1 - exp(user_{{ level }}.log_probability_none))
            ) as expected_orders,
            count(*) as candidate_users
        from user_{{ level }}
        inner join order_probabilities
            on user_{{ level }}.user_id = order_probabilities.user_id
        inner join {{ level }}_names
            on user_{{ level }}.level_id = {{ level }}_names.level_id
        group by
            user_{{ level }}.level_id,
            {{ level }}_names.level_name,
            order_probabilities.horizon_days,
            order_probabilities.elapsed_days
    ),
{% endfor %}

forecasts as (
    {% for level, key, name in levels %}
        select
            level,
            level_id,
            level_name,
            horizon_days,
            elapsed_days,
            expected_units,
            expected_orders,
            candidate_users
        from {{ level }}_forecast
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        cast(forecasts.level as {{ dbt.type_string() }}) as level,  -- noqa: RF04
        cast(forecasts.level_id as {{ dbt.type_bigint() }}) as level_id,
        cast(forecasts.level_name as {{ dbt.type_string() }}) as level_name,
        cast(forecasts.horizon_days as {{ dbt.type_int() }}) as horizon_days,
        cast(forecasts.expected_units as {{ type_double() }}) as expected_units,
        cast(forecasts.expected_orders as {{ type_double() }}) as expected_orders,
        cast(forecasts.candidate_users as {{ dbt.type_bigint() }}) as candidate_users,
        cast(forecasts.elapsed_days as {{ dbt.type_int() }}) as elapsed_days,
        run.run_id
    from forecasts
    cross join run
)

select
    level,
    level_id,
    level_name,
    horizon_days,
    expected_units,
    expected_orders,
    candidate_users,
    elapsed_days,
    run_id
from final
