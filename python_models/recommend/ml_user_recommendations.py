"""dbt Python model: every user's top-N (reorder probabilities + cross-sell); ml.recommend."""

from ml.recommend.inputs import association_rules, user_clusters
from ml.recommend.pipeline import recommendations_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return recommendations_table(
        user_products=dbt.ref("feat_user_product"),
        predictions=dbt.ref("ml_reorder_predictions"),
        rules=association_rules(dbt.ref("ml_association_rules")),
        similar=dbt.ref("ml_similar_products"),
        clusters=user_clusters(dbt.ref("ml_user_clusters")),
        params=dbt.config.get("params"),
    )
