-- Every measured figure of every ML model, one row per (run, model, split, metric).
-- Each capability writes its own ml_<capability>_metrics model with this schema; this
-- union is the one table other tools read. Add a new part to metric_models below.
{% set metric_models = [
    'ml_reorder_metrics',
    'ml_forecast_metrics',
    'ml_experiment_metrics',
    'ml_embedding_metrics',
    'ml_recommender_metrics',
    'ml_segment_metrics',
    'ml_rule_metrics',
] %}

with

{% for metric_model in metric_models %}
    {{ metric_model }} as (
        select
            cast(run_id as {{ dbt.type_string() }}) as run_id,
            cast(model as {{ dbt.type_string() }}) as model,
            cast(split as {{ dbt.type_string() }}) as split,
            cast(metric as {{ dbt.type_string() }}) as metric,
            cast(value as {{ type_double() }}) as value
        from {{ ref(metric_model) }}
    ),
{% endfor %}

final as (
    {% for metric_model in metric_models %}
        select
            run_id,
            model,
            split,
            metric,
            value
        from {{ metric_model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    run_id,
    model,
    split,
    metric,
    value
from final
