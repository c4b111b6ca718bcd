"""The forecast section of `python -m ml.report`: backtest accuracy, model vs naive."""

from __future__ import annotations

import polars as pl

from ml.forecast import HORIZONS
from ml.forecast.backtest import MODEL, NAIVE

FORECAST_MODELS = (MODEL, NAIVE)
# Columns in reading order: department WAPE (the headline), then product, aisle, bias, timing.
FORECAST_METRICS = [
    f"{name}_{horizon}d"
    for name in (
        "wape_department",
        "wape_aisle",
        "wape_product",
        "bias_department",
        "order_probability_brier",
    )
    for horizon in HORIZONS
]


def is_forecast(model: pl.Expr) -> pl.Expr:
    return model.is_in(list(FORECAST_MODELS))


def forecast_table(metrics: pl.DataFrame) -> pl.DataFrame:
    """Long (model, metric, value) of the forecast models -> wide model x metric."""
    rows = metrics.filter(is_forecast(pl.col("model")))
    if not rows.height:
        return pl.DataFrame()
    wide = rows.pivot(on="metric", index="model", values="value", aggregate_function="first")
    known = [name for name in FORECAST_METRICS if name in wide.columns]
    order = {name: i for i, name in enumerate(FORECAST_MODELS)}
    return (
        wide.select("model", *known)
        .with_columns(_rank=pl.col("model").replace_strict(order, default=len(order)))
        .sort("_rank")
        .drop("_rank")
    )
