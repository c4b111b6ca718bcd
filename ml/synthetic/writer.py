"""CSV writing in the exact Kaggle text format (polars: fast, multi-threaded).

Format details that matter: header line, `,` separator, `\\n` line ends, hours zero-padded to two
digits (`08`, as in the Kaggle files), days as `30.0` and empty for a user's first order, names
quoted only when they contain a comma or quote.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl


def write_csv(df: pl.DataFrame, path: Path) -> None:
    """Write with the Kaggle conventions (empty nulls, minimal quoting)."""
    df.write_csv(path, include_header=True, null_value="", quote_style="necessary")


def days_series(days: np.ndarray) -> pl.Series:
    """Float days with NaN (first order) written as an empty field; others like `7.0`."""
    return pl.Series("days_since_prior_order", days).fill_nan(None)


def hour_series(hour: np.ndarray) -> pl.Series:
    """Hours as two-digit text (`08`), like the Kaggle orders.csv."""
    return pl.Series("order_hour_of_day", hour).cast(pl.String).str.zfill(2)


def orders_frame(
    order_id: np.ndarray,
    user_id: np.ndarray,
    eval_set: np.ndarray,
    order_number: np.ndarray,
    dow: np.ndarray,
    hour: np.ndarray,
    days: np.ndarray,
) -> pl.DataFrame:
    """orders.csv columns in the Kaggle order; eval_set codes 0/1/2 = prior/train/test."""
    labels = np.array(["prior", "train", "test"])
    return pl.DataFrame(
        [
            pl.Series("order_id", order_id, dtype=pl.Int64),
            pl.Series("user_id", user_id, dtype=pl.Int64),
            pl.Series("eval_set", labels[eval_set]),
            pl.Series("order_number", order_number, dtype=pl.Int64),
            pl.Series("order_dow", dow, dtype=pl.Int64),
            hour_series(hour),
            days_series(days),
        ]
    )


def lines_frame(
    order_id: np.ndarray, product_id: np.ndarray, cart: np.ndarray, reordered: np.ndarray
) -> pl.DataFrame:
    """order_products__*.csv columns in the Kaggle order."""
    return pl.DataFrame(
        [
            pl.Series("order_id", order_id, dtype=pl.Int32),
            pl.Series("product_id", product_id, dtype=pl.Int32),
            pl.Series("add_to_cart_order", cart, dtype=pl.Int16),
            pl.Series("reordered", reordered, dtype=pl.Int8),
        ]
    )
