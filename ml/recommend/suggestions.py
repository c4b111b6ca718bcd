"""Basket-time cross-sell: "if you add X, suggest Y"."""

from __future__ import annotations

import polars as pl

from ml.recommend.blend import SOURCES


def basket_suggestions(
    rules: pl.DataFrame, neighbours: pl.DataFrame, top_n: int, embedding_weight: float
) -> pl.DataFrame:
    """(product_id, rank, suggested_product_id, score, source) for every product X.

    Candidates: consequents of one-antecedent rules X -> Y (score = confidence, the share of
    baskets with X that also hold Y) and X's embedding neighbours (cosine x embedding_weight,
    the same scale the user recommendations use). Y appears once per X, with its best score.
    """
    single = rules.filter(pl.col("antecedents").list.len() == 1).select(
        pl.col("antecedents").list.first().cast(pl.Int64).alias("product_id"),
        pl.col("consequents"),
        pl.col("confidence").cast(pl.Float64).alias("score"),
    )
    from_rules = single.explode("consequents").select(
        "product_id",
        pl.col("consequents").cast(pl.Int64).alias("suggested_product_id"),
        "score",
        pl.lit("rules").alias("source"),
    )
    from_embedding = neighbours.select(
        pl.col("product_id").cast(pl.Int64),
        pl.col("similar_product_id").cast(pl.Int64).alias("suggested_product_id"),
        (pl.col("cosine_similarity").clip(lower_bound=0.0) * embedding_weight)
        .cast(pl.Float64)
        .alias("score"),
        pl.lit("embedding").alias("source"),
    )
    priority = {source: i for i, source in enumerate(SOURCES)}
    every = pl.concat([from_rules, from_embedding]).filter(
        pl.col("product_id") != pl.col("suggested_product_id")
    )
    best = (
        every.with_columns(_priority=pl.col("source").replace_strict(priority))
        .sort(
            ["product_id", "suggested_product_id", "score", "_priority"],
            descending=[False, False, True, False],
        )
        .unique(["product_id", "suggested_product_id"], keep="first", maintain_order=True)
        .sort(["product_id", "score", "suggested_product_id"], descending=[False, True, False])
        .group_by("product_id", maintain_order=True)
        .head(top_n)
    )
    return best.select(
        "product_id",
        (pl.int_range(pl.len()).over("product_id") + 1).cast(pl.Int32).alias("rank"),
        "suggested_product_id",
        "score",
        "source",
    )
