"""The tables the embedding dbt Python models write; each function is one model's body."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pyarrow as pa

from ml.embeddings.evaluate import (
    complement_recall,
    load_planted_pairs,
    random_same_aisle_precision,
    same_aisle_precision,
)
from ml.embeddings.neighbours import top_k_neighbours
from ml.embeddings.word2vec import train_product2vec
from ml.relations import Source, query
from ml.reorder.pipeline import METRIC_SCHEMA, as_mapping, to_polars

MODEL_NAME = "product2vec"
EMBEDDING_SCHEMA = pa.schema([("product_id", pa.int64()), ("vector", pa.list_(pa.float64()))])
SIMILAR_SCHEMA = pa.schema(
    [
        ("product_id", pa.int64()),
        ("neighbour_rank", pa.int32()),
        ("similar_product_id", pa.int64()),
        ("cosine_similarity", pa.float64()),
    ]
)
# Neighbours evaluated (precision@k, complement recall@k).
EVALUATION_K = 10


def embeddings_table(order_lines: Source, params: Any = None) -> pa.Table:
    """ml_product_embeddings: one vector per product seen at least min_count times."""
    trained = train_product2vec(order_lines, as_mapping(params))
    vectors = trained.vectors.astype(np.float64)
    values = pa.array(vectors.ravel(), type=pa.float64())
    offsets = pa.array(np.arange(0, vectors.size + 1, vectors.shape[1], dtype=np.int32))
    return pa.table(
        {
            "product_id": pa.array(trained.product_ids, type=pa.int64()),
            "vector": pa.ListArray.from_arrays(offsets, values),
        },
        schema=EMBEDDING_SCHEMA,
    )


def embedding_matrix(embeddings: Source) -> tuple[np.ndarray, np.ndarray]:
    """(product ids, float32 matrix) from the embeddings table, ordered by product id."""
    frame = to_polars(embeddings).sort("product_id")
    ids = frame["product_id"].to_numpy().astype(np.int64)
    if not frame.height:
        return ids, np.zeros((0, 0), dtype=np.float32)
    matrix = np.asarray(frame["vector"].to_list(), dtype=np.float32)
    return ids, matrix


def similar_products_table(embeddings: Source, k: Any = 10) -> pa.Table:
    """ml_similar_products: every product's top-k neighbours by cosine similarity."""
    ids, matrix = embedding_matrix(embeddings)
    return top_k_neighbours(ids, matrix, int(k)).to_arrow().cast(SIMILAR_SCHEMA)


def embedding_run_id(embeddings: Source) -> str:
    """A content address of the vectors: same vectors, same run id."""
    ids, matrix = embedding_matrix(embeddings)
    digest = hashlib.sha256(ids.tobytes() + matrix.tobytes()).hexdigest()
    return f"{MODEL_NAME}-{digest[:12]}"


def metrics_table(
    embeddings: Source, similar: Source, products: Source, data_dir: str | None = None
) -> pa.Table:
    """ml_embedding_metrics: same-aisle precision@10 (vs. the random level) and, on synthetic
    data, recall of the planted complementary pairs among the top-10 neighbours.

    split 'train': the vectors are fitted on every user's prior baskets, and the aisles and
    planted pairs they are judged against were never shown to the model, but no users are
    held out.
    """
    run_id = embedding_run_id(embeddings)
    neighbours = to_polars(similar)
    catalog = query(products, "select product_id, aisle_id from source")
    embedded = neighbours["product_id"].unique()
    values = {
        f"same_aisle_precision_at_{EVALUATION_K}": same_aisle_precision(
            neighbours, catalog, EVALUATION_K
        ),
        f"same_aisle_precision_at_{EVALUATION_K}_random": random_same_aisle_precision(
            embedded, catalog
        ),
        "embedded_products": float(embedded.len()),
        "catalog_products": float(catalog.height),
    }
    planted = load_planted_pairs(data_dir)
    if planted is not None:
        recall, pairs = complement_recall(neighbours, planted, EVALUATION_K)
        values[f"planted_complement_recall_at_{EVALUATION_K}"] = recall
        values["planted_pairs_embedded"] = float(pairs)
    rows = [
        {"run_id": run_id, "model": MODEL_NAME, "split": "train", "metric": k, "value": float(v)}
        for k, v in values.items()
    ]
    return pa.Table.from_pylist(rows, schema=METRIC_SCHEMA)
