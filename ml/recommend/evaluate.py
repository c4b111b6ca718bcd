"""Ranking metrics of top-k lists against the users' actual next baskets.

Per user, with R the products of the final basket (the relevant set) and L the top-k list:
- recall@k = |L ∩ R| / |R|;
- NDCG@k = sum over hits of 1/log2(rank + 1), divided by the same sum for a perfect list
  (min(|R|, k) hits at ranks 1, 2, ...);
- hit rate@k = 1 if L ∩ R is not empty.
Each is averaged over users with a non-empty R. "repeat" and "new" restrict R to the
products the user had (not) bought before, and average over the users having such products;
the list L stays the user's whole list.
"""

from __future__ import annotations

import numpy as np
import polars as pl

KINDS = ("all", "repeat", "new")


def _user_metrics(recommended: pl.DataFrame, relevant: pl.DataFrame, k: int) -> pl.DataFrame:
    """(user_id, recall, ndcg, hit) for every user of `relevant`."""
    top = recommended.filter(pl.col("rank") <= k).select("user_id", "product_id", "rank")
    hits = (
        relevant.join(top, on=["user_id", "product_id"])
        .group_by("user_id")
        .agg(
            pl.len().alias("hits"),
            (1.0 / (pl.col("rank").cast(pl.Float64) + 1.0).log(2)).sum().alias("dcg"),
        )
    )
    # ideal DCG for n relevant items: cumulative sums of 1/log2(i + 1), i = 1..k
    ideal = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])
    sizes = relevant.group_by("user_id").agg(pl.len().alias("relevant"))
    return (
        sizes.join(hits, on="user_id", how="left")
        .with_columns(pl.col("hits").fill_null(0), pl.col("dcg").fill_null(0.0))
        .with_columns(
            idcg=pl.col("relevant")
            .clip(upper_bound=k)
            .replace_strict({n: float(ideal[n]) for n in range(k + 1)}, return_dtype=pl.Float64)
        )
        .select(
            "user_id",
            (pl.col("hits") / pl.col("relevant")).alias("recall"),
            (pl.col("dcg") / pl.col("idcg")).alias("ndcg"),
            (pl.col("hits") > 0).cast(pl.Float64).alias("hit"),
        )
    )


def ranking_metrics(recommended: pl.DataFrame, truth: pl.DataFrame, k: int) -> dict[str, float]:
    """recall/ndcg/hit_rate@k overall and for repeat and new items, plus user counts.

    recommended: (user_id, rank, product_id); truth: (user_id, product_id, is_repeat) = the
    final baskets of the evaluated users.
    """
    values: dict[str, float] = {}
    for kind in KINDS:
        relevant = truth
        if kind != "all":
            relevant = truth.filter(pl.col("is_repeat") == (kind == "repeat"))
        relevant = relevant.select(
            pl.col("user_id").cast(pl.Int64), pl.col("product_id").cast(pl.Int64)
        )
        suffix = "" if kind == "all" else f"_{kind}"
        per_user = _user_metrics(
            recommended.with_columns(
                pl.col("user_id").cast(pl.Int64), pl.col("product_id").cast(pl.Int64)
            ),
            relevant,
            k,
        )
        values[f"users{suffix}"] = float(per_user.height)
        for name in ("recall", "ndcg", "hit"):
            metric = "hit_rate" if name == "hit" else name
            mean = per_user[name].mean() if per_user.height else None
            values[f"{metric}_at_{k}{suffix}"] = float("nan") if mean is None else float(mean)
    return values
