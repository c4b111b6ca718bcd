"""dbt Python model: experiment read-outs (difference in means, CUPED, PSM, Beta-Binomial)."""

from ml.experiments.pipeline import results_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return results_table(dbt.ref("mart_experiment_user_outcomes"))
