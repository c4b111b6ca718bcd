"""dbt Python model: embedding quality (same-aisle precision@10, planted complements).

One part of the union ml_model_metrics (python_models/metrics).
"""

from ml.embeddings.pipeline import metrics_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return metrics_table(
        embeddings=dbt.ref("ml_product_embeddings"),
        similar=dbt.ref("ml_similar_products"),
        products=dbt.ref("dim_products"),
        data_dir=dbt.config.get("data_dir"),
    )
