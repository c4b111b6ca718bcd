"""dbt Python model: demand-forecast backtest on the validation users vs a naive forecast.

One part of the union ml_model_metrics (python_models/metrics).
"""

from ml.forecast.pipeline import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(
        orders=dbt.ref("fct_orders"),
        predictions=dbt.ref("ml_reorder_predictions"),
        order_lines=dbt.ref("fct_order_lines"),
        products=dbt.ref("dim_products"),
        prior_strength=dbt.config.get("prior_strength"),
    )
