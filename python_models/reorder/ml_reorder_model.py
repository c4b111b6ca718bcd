"""dbt Python model: train the LightGBM reorder model once; all logic in ml.reorder."""

from ml.reorder.pipeline import model_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return model_table(
        dbt.ref("feat_reorder_training"),
        params=dbt.config.get("params"),
        validation_fraction=dbt.config.get("validation_fraction"),
        split_seed=dbt.config.get("split_seed"),
        augment=dbt.config.get("augment_prior_target"),
    )
