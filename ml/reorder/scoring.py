"""Batched scoring of final-order candidates (validation and test users)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from ml.reorder.frame import LABEL, FeatureSource, iter_batches, to_matrix
from ml.reorder.split import row_split, validation_users
from ml.reorder.store import StoredModel
from ml.reorder.train import train_user_ids

PREDICTION_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("user_id", pa.int32()),
        ("order_id", pa.int32()),
        ("product_id", pa.int32()),
        ("split", pa.string()),
        ("probability", pa.float64()),
        ("label", pa.int8()),
    ]
)


def model_validation_users(model: StoredModel, source: FeatureSource) -> np.ndarray:
    """The validation users of the stored model's run (same fraction and seed)."""
    return validation_users(train_user_ids(source), model.validation_fraction, model.split_seed)


def score_final_orders(
    model: StoredModel,
    source: FeatureSource,
    splits: tuple[str, ...] = ("validation", "test"),
    validation_ids: np.ndarray | None = None,
    keep_users: np.ndarray | None = None,
) -> pl.DataFrame:
    """Probability for every offset-0 candidate whose row split is in `splits`.

    Rows are streamed and scored batch by batch, so memory stays at one batch of features plus
    the (small) output columns. `keep_users` restricts scoring to those users (a sample).
    """
    if validation_ids is None:
        validation_ids = model_validation_users(model, source)
    parts: list[pl.DataFrame] = []
    for batch in iter_batches(source, "target_offset = 0"):
        split = row_split(batch, validation_ids)
        rows = batch.with_columns(split=split).filter(pl.col("split").is_in(list(splits)))
        if keep_users is not None:
            rows = rows.filter(pl.col("user_id").is_in(pl.Series(keep_users).implode()))
        if not rows.height:
            continue
        probability = model.booster.predict(to_matrix(rows, model.features), num_threads=2)
        parts.append(
            rows.select(
                pl.lit(model.run_id).alias("run_id"),
                pl.col("user_id").cast(pl.Int32),
                pl.col("order_id").cast(pl.Int32),
                pl.col("product_id").cast(pl.Int32),
                "split",
                pl.Series("probability", np.asarray(probability, dtype=np.float64)),
                pl.col(LABEL).cast(pl.Int8).alias("label"),
            )
        )
    if not parts:
        return pl.from_arrow(PREDICTION_SCHEMA.empty_table())  # type: ignore[return-value]
    return pl.concat(parts).sort("order_id", "product_id")
