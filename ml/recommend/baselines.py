"""Baseline top-k lists the hybrid is compared with."""

from __future__ import annotations

import polars as pl


def _ranked(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    return (
        frame.group_by("user_id", maintain_order=True)
        .head(k)
        .select(
            "user_id",
            (pl.int_range(pl.len()).over("user_id") + 1).cast(pl.Int32).alias("rank"),
            "product_id",
        )
    )


def personal_top_frequency(history: pl.DataFrame, users: pl.Series, k: int) -> pl.DataFrame:
    """Each user's k products bought in most orders (then most recently, then smaller id).

    history: (user_id, product_id, times_bought, orders_since_last).
    """
    mine = history.filter(pl.col("user_id").is_in(users.implode())).sort(
        ["user_id", "times_bought", "orders_since_last", "product_id"],
        descending=[False, True, False, False],
    )
    return _ranked(mine, k)


def global_top_popular(history: pl.DataFrame, users: pl.Series, k: int) -> pl.DataFrame:
    """The same k products for everyone: those in most prior orders of all users."""
    popular = (
        history.group_by("product_id")
        .agg(pl.col("times_bought").sum())
        .sort(["times_bought", "product_id"], descending=[True, False])
        .head(k)
        .with_row_index("rank", offset=1)
    )
    return (
        pl.DataFrame({"user_id": users})
        .join(popular, how="cross")
        .select("user_id", pl.col("rank").cast(pl.Int32), "product_id")
    )
