"""Input columns, outcome definitions and covariate matrices of the experiments mart."""

from __future__ import annotations

import numpy as np
import polars as pl

# outcome column -> its pre-period counterpart (the CUPED covariate)
OUTCOMES: dict[str, str] = {
    "items_per_order": "pre_items_per_order",
    "reorder_rate": "pre_reorder_rate",
    "orders_within_30d": "pre_orders_within_30d",
}
SEGMENTS = ("frequent", "regular", "occasional")
NUMERIC_COVARIATES = (
    "pre_orders",
    "pre_items_per_order",
    "pre_reorder_rate",
    "pre_mean_gap_days",
    "pre_orders_within_30d",
)
# segment dummies (regular is the reference level)
COVARIATES = (*NUMERIC_COVARIATES, "segment_frequent", "segment_occasional")


def with_covariates(users: pl.DataFrame) -> pl.DataFrame:
    """Add segment dummies and fill missing numeric covariates with their column mean."""
    return users.with_columns(
        *[
            pl.col(c).cast(pl.Float64).fill_null(pl.col(c).cast(pl.Float64).mean()).fill_null(0.0)
            for c in NUMERIC_COVARIATES
        ],
        (pl.col("segment") == "frequent").cast(pl.Float64).alias("segment_frequent"),
        (pl.col("segment") == "occasional").cast(pl.Float64).alias("segment_occasional"),
    )


def covariate_matrix(users: pl.DataFrame) -> np.ndarray:
    """(n, len(COVARIATES)) float matrix; users must come from with_covariates."""
    return users.select(COVARIATES).to_numpy().astype(np.float64)
