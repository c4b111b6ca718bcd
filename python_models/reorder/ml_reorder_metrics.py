"""dbt Python model: reorder run metrics (model, threshold, baselines, oracle).

One part of the union ml_model_metrics (python_models/metrics).
"""

from ml.reorder.pipeline import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(
        model=dbt.ref("ml_reorder_model"),
        predictions=dbt.ref("ml_reorder_predictions"),
        baskets=dbt.ref("ml_reorder_baskets"),
        order_lines=dbt.ref("fct_order_lines"),
        data_dir=dbt.config.get("data_dir"),
    )
