"""Accuracy of a forecast against actuals, aggregated over the items of one level."""

from __future__ import annotations

import numpy as np
import polars as pl


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum actual (NaN if 0)."""
    total = float(np.sum(actual))
    if total == 0:
        return float("nan")
    return float(np.sum(np.abs(np.asarray(actual, float) - np.asarray(forecast, float))) / total)


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Relative bias: (sum forecast - sum actual) / sum actual; > 0 means over-forecasting."""
    total = float(np.sum(actual))
    if total == 0:
        return float("nan")
    return float((np.sum(forecast) - total) / total)


def level_accuracy(
    actual: pl.DataFrame, forecast: pl.DataFrame, key: str, value: str = "units"
) -> dict[str, float]:
    """WAPE and bias over the items of a level (key), an item missing on one side counting 0.

    Both frames hold one row per item: (key, value).
    """
    joined = actual.join(forecast, on=key, how="full", coalesce=True, suffix="_forecast")
    a = joined[value].fill_null(0).to_numpy()
    f = joined[f"{value}_forecast"].fill_null(0).to_numpy()
    return {"wape": wape(a, f), "bias": bias(a, f)}
