"""Rule baselines the model has to beat, from the users' prior order history.

history: prior order lines before the target, (user_id, order_number, product_id).
candidates: (user_id, order_id, product_id) of the target orders to predict.
Both return baskets (order_id, products list) with every candidate order present; an empty
list is the None basket.
"""

from __future__ import annotations

import polars as pl


def _as_baskets(candidates: pl.DataFrame, chosen: pl.DataFrame) -> pl.DataFrame:
    picked = candidates.join(chosen, on=["user_id", "product_id"], how="semi")
    baskets = picked.group_by("order_id").agg(products=pl.col("product_id").sort())
    dtype = candidates.schema["product_id"]
    return (
        candidates.select("order_id")
        .unique()
        .join(baskets, on="order_id", how="left")
        .with_columns(pl.col("products").fill_null(pl.lit([], dtype=pl.List(dtype))))
        .sort("order_id")
    )


def last_basket(history: pl.DataFrame, candidates: pl.DataFrame) -> pl.DataFrame:
    """Repeat the last prior basket: its products that are candidates (i.e. reorderable)."""
    last = history.filter(pl.col("order_number") == pl.col("order_number").max().over("user_id"))
    return _as_baskets(candidates, last.select("user_id", "product_id").unique())


def half_of_orders(history: pl.DataFrame, candidates: pl.DataFrame) -> pl.DataFrame:
    """Products bought in at least half of the user's prior orders."""
    orders = history.group_by("user_id").agg(n_orders=pl.col("order_number").n_unique())
    bought = history.group_by("user_id", "product_id").agg(
        n_bought=pl.col("order_number").n_unique()
    )
    frequent = bought.join(orders, on="user_id").filter(
        2 * pl.col("n_bought") >= pl.col("n_orders")
    )
    return _as_baskets(candidates, frequent.select("user_id", "product_id"))
