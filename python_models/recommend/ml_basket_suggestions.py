"""dbt Python model: "if you add X, suggest Y" (rules and embedding neighbours)."""

from ml.recommend.inputs import association_rules
from ml.recommend.pipeline import suggestions_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return suggestions_table(
        rules=association_rules(dbt.ref("ml_association_rules")),
        similar=dbt.ref("ml_similar_products"),
        params=dbt.config.get("params"),
    )
