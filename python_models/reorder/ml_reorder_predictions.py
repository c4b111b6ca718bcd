"""dbt Python model: reorder probability of every validation and test candidate."""

from ml.reorder.pipeline import predictions_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return predictions_table(dbt.ref("ml_reorder_model"), dbt.ref("feat_reorder_training"))
