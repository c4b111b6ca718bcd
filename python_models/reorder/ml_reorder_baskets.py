"""dbt Python model: expected-F1-optimal reorder basket per final order (empty = None)."""

from ml.reorder.pipeline import baskets_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return baskets_table(dbt.ref("ml_reorder_predictions"))
