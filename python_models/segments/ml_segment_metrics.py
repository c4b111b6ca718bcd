"""dbt Python model: cluster quality figures; part of the union ml_model_metrics."""

from ml.segments.pipeline import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(
        dbt.ref("ml_cluster_selection"),
        dbt.ref("ml_user_clusters"),
        data_dir=dbt.config.get("data_dir"),
    )
