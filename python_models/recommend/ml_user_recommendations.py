"""dbt Python model: every user's top-N (reorder probabilities + cross-sell); ml.recommend."""

from ml.recommend.inputs import pairs_as_rules, segments_as_clusters
from ml.recommend.pipeline import recommendations_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return recommendations_table(
        user_products=dbt.ref("feat_user_product"),
        predictions=dbt.ref("ml_reorder_predictions"),
        rules=pairs_as_rules(dbt.ref("mart_product_pairs")),
        similar=dbt.ref("ml_similar_products"),
        clusters=segments_as_clusters(dbt.ref("mart_user_rfm")),
        params=dbt.config.get("params"),
    )
