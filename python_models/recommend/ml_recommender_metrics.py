"""dbt Python model: Recall/NDCG/hit rate@10 of the hybrid and baselines (validation users).

One part of the union ml_model_metrics (python_models/metrics).
"""

from ml.recommend.pipeline import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(
        recommendations=dbt.ref("ml_user_recommendations"),
        user_products=dbt.ref("feat_user_product"),
        predictions=dbt.ref("ml_reorder_predictions"),
        order_lines=dbt.ref("fct_order_lines"),
    )
