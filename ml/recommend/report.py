"""The recommender's section of `python -m ml.report`: embedding quality and Recall/NDCG/hit
rate@10 of the hybrid and its baselines, from ml.ml_model_metrics."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

RECOMMENDER_MODELS = [
    "hybrid_recommender",
    "reorder_only",
    "baseline_personal_frequency",
    "baseline_global_popular",
]
RECOMMENDER_METRICS = [
    f"{name}_at_10{kind}"
    for kind in ("", "_repeat", "_new")
    for name in ("recall", "ndcg", "hit_rate")
]
RECOMMENDER_ROWS = """
select model, metric, value
from ml.ml_model_metrics
where model in (select unnest(?::varchar[]))
"""


def recommender_tables(warehouse: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(embedding metric/value, recommender model x metric) from ml_model_metrics."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(RECOMMENDER_ROWS, [["product2vec", *RECOMMENDER_MODELS]])
        frame = pl.from_arrow(rows.to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    embedding = frame.filter(pl.col("model") == "product2vec").select("metric", "value")
    ranking = frame.filter(pl.col("metric").is_in(RECOMMENDER_METRICS))
    if not ranking.height:
        return embedding.sort("metric"), ranking
    wide = ranking.pivot(on="metric", index="model", values="value", aggregate_function="first")
    rank = {name: i for i, name in enumerate(RECOMMENDER_MODELS)}
    wide = (
        wide.select("model", *[m for m in RECOMMENDER_METRICS if m in wide.columns])
        .with_columns(_rank=pl.col("model").replace_strict(rank, default=len(rank)))
        .sort("_rank")
        .drop("_rank")
    )
    return embedding.sort("metric"), wide


def print_recommender_section(warehouse: Path, markdown: bool) -> None:
    """Embedding quality and Recall/NDCG/hit rate@10 (validation users' final baskets)."""
    from ml.report import markdown_table  # ml.report imports this module

    embedding, ranking = recommender_tables(warehouse)
    if embedding.height:
        print("\nproduct2vec embeddings (split train):")
        print(markdown_table(embedding) if markdown else embedding)
    if ranking.height:
        print("\nnext-basket recommendations @10 (validation users' final baskets):")
        print(markdown_table(ranking) if markdown else ranking)
