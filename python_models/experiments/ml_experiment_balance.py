"""dbt Python model: covariate balance (SMD) before and after propensity-score matching."""

from ml.experiments.pipeline import balance_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return balance_table(dbt.ref("mart_experiment_user_outcomes"))
