"""dbt Python model: P(next order within 7 / 14 days) per user; logic in ml.forecast."""

from ml.forecast.pipeline import order_probability_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return order_probability_table(
        dbt.ref("fct_orders"),
        dbt.ref("ml_reorder_predictions"),
        elapsed_days=dbt.config.get("elapsed_days"),
        prior_strength=dbt.config.get("prior_strength"),
    )
