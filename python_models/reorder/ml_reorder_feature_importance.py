"""dbt Python model: gain and mean |pred_contrib| per feature of the reorder model."""

from ml.reorder.pipeline import importance_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return importance_table(dbt.ref("ml_reorder_model"), dbt.ref("feat_reorder_training"))
