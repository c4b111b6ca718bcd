"""dbt Python model: T-learner LightGBM uplift by segment and the Qini curve."""

from ml.experiments.pipeline import uplift_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return uplift_table(
        dbt.ref("mart_experiment_user_outcomes"),
        max_users=int(dbt.config.get("max_users")),
    )
