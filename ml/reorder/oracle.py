"""The oracle: true final-order probabilities, known only for synthetic data (truth/)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

TRUTH_FILE = Path("truth") / "final_order_probabilities.csv"


def load_true_probabilities(data_dir: str | Path | None) -> pl.DataFrame | None:
    """(user_id, product_id, probability) from `<data_dir>/truth/`, or None when absent."""
    if not data_dir:
        return None
    path = Path(data_dir) / TRUTH_FILE
    if not path.exists():
        return None
    return pl.read_csv(
        path,
        schema_overrides={
            "user_id": pl.Int32,
            "product_id": pl.Int32,
            "probability": pl.Float64,
        },
    )


def oracle_predictions(truth: pl.DataFrame, candidates: pl.DataFrame) -> pl.DataFrame:
    """candidates (user_id, order_id, product_id, label) with the true probability attached.

    A candidate missing from the truth file gets probability 0 (the generator lists every
    prior-bought product, so this only happens if the two disagree on the candidate set).
    """
    return candidates.join(
        truth.select("user_id", "product_id", "probability"),
        on=["user_id", "product_id"],
        how="left",
    ).with_columns(pl.col("probability").fill_null(0.0))
