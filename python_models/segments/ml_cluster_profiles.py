"""dbt Python model: size, mean features, top aisles, persona label, campaign per cluster."""

from ml.segments.pipeline import profiles_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return profiles_table(
        dbt.ref("ml_user_clusters"),
        dbt.ref("feat_user_behaviour"),
        dbt.ref("feat_user_aisle_share"),
        dbt.ref("stg_aisles"),
        dbt.ref("mart_user_rfm"),
    )
