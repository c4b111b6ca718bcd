"""dbt Python model: experiment figures (and planted-vs-recovered on synthetic data).

One part of the union ml_model_metrics (python_models/metrics).
"""

from ml.experiments.metrics import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(
        results=dbt.ref("ml_experiment_results"),
        uplift=dbt.ref("ml_experiment_uplift"),
        data_dir=dbt.config.get("data_dir"),
    )
