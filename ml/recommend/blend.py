"""Blend repeat and cross-sell candidates into one ranked top-N list per user."""

from __future__ import annotations

import polars as pl

SOURCES = ("reorder", "rules", "embedding", "segment_popular")
RECOMMENDATION_COLUMNS = ("user_id", "rank", "product_id", "score", "source")


def blend(repeat: pl.DataFrame, cross_sell: list[pl.DataFrame], top_n: int) -> pl.DataFrame:
    """(user_id, rank 1..top_n, product_id, score, source), no product twice per user.

    repeat: the reorder candidates (every product the user bought before); cross_sell: frames
    of new-item candidates. Cross-sell candidates the user already bought are dropped (the
    reorder model scores those with the user's own history); a new product suggested by
    several sources keeps its best score and that source (on equal scores the earlier source
    in SOURCES). Ranked by score desc, then product_id asc.
    """
    columns = ["user_id", "product_id", "score", "source"]
    new_items = (
        pl.concat([frame.select(columns) for frame in cross_sell])
        if cross_sell
        else repeat.select(columns).clear()
    )
    new_items = new_items.join(
        repeat.select("user_id", "product_id"), on=["user_id", "product_id"], how="anti"
    )
    priority = {source: i for i, source in enumerate(SOURCES)}
    every = pl.concat([repeat.select(columns), new_items]).with_columns(
        _priority=pl.col("source").replace_strict(priority, default=len(priority))
    )
    best = (
        every.sort(
            ["user_id", "product_id", "score", "_priority"], descending=[False, False, True, False]
        )
        .unique(["user_id", "product_id"], keep="first", maintain_order=True)
        .sort(["user_id", "score", "product_id"], descending=[False, True, False])
        .group_by("user_id", maintain_order=True)
        .head(top_n)
    )
    return best.select(
        "user_id",
        (pl.int_range(pl.len()).over("user_id") + 1).cast(pl.Int32).alias("rank"),
        "product_id",
        "score",
        "source",
    )
