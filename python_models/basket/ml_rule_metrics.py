"""dbt Python model: rule counts, sample sizes, planted-pair recall; part of ml_model_metrics."""

from ml.basket.pipeline import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(dbt.ref("ml_association_rules"), data_dir=dbt.config.get("data_dir"))
