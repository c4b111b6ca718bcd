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
) -> pa.Table:
    """Probability for every offset-0 candidate whose row split is in `splits`, as a table of
    PREDICTION_SCHEMA sorted by (order_id, product_id).

    Rows are streamed and scored batch by batch, so memory stays at one batch of features plus
    the compact output columns; the string columns (run_id, split) are only spelled out once
    at the end (a per-row run_id string carried through the sort cost ~6 GB at scale 1).
    `keep_users` restricts scoring to those users (a sample).
    """
    if validation_ids is None:
        validation_ids = model_validation_users(model, source)
    split_type = pl.Enum(list(splits))
    parts: list[pl.DataFrame] = []
    for batch in iter_batches(source, "target_offset = 0"):
        split = row_split(batch, validation_ids)
        rows = batch.with_columns(split=split).filter(pl.col("split").is_in(list(splits)))
        if keep_users is not None:
            rows = rows.filter(pl.col("user_id").is_in(pl.Series(keep_users).implode()))
        if not rows.height:
            continue
        probability = model.booster.predict(to_matrix(rows, model.features), num_threads=2)
        # Fresh arrays, not views: a column kept from a streamed batch pins the whole batch's
        # DuckDB allocation (all ~75 columns), which grew the scoring of scale 1 by 8 GB.
        parts.append(
            pl.DataFrame(
                {
                    name: np.array(rows[name].to_numpy(), dtype=np.int32, copy=True)
                    for name in ("user_id", "order_id", "product_id")
                }
            ).with_columns(
                pl.Series("split", rows["split"].to_list(), dtype=split_type),
                pl.Series("probability", np.asarray(probability, dtype=np.float64)),
                pl.Series("label", rows[LABEL].to_list(), dtype=pl.Int8),
            )
        )
    if not parts:
        return PREDICTION_SCHEMA.empty_table()
    scored = pl.concat(parts).sort("order_id", "product_id").to_arrow()
    del parts
    return pa.table(
        {
            "run_id": pa.repeat(pa.scalar(model.run_id, pa.string()), scored.num_rows),
            "user_id": scored["user_id"],
            "order_id": scored["order_id"],
            "product_id": scored["product_id"],
            "split": scored["split"].cast(pa.string()),
            "probability": scored["probability"],
            "label": scored["label"],
        },
        schema=PREDICTION_SCHEMA,
    )
