"""dbt Python model: product2vec (gensim Word2Vec over prior baskets); logic in ml.embeddings."""

from ml.embeddings.pipeline import embeddings_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return embeddings_table(dbt.ref("fct_order_lines"), params=dbt.config.get("params"))
