"""dbt Python model: every product's top-k neighbours by cosine of the product2vec vectors."""

from ml.embeddings.pipeline import similar_products_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return similar_products_table(dbt.ref("ml_product_embeddings"), k=dbt.config.get("k"))
