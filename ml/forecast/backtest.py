"""Backtest: forecast the validation users' hidden final orders, compare with what happened.

Origin: each validation user's last prior order (the final order and its gap are hidden).
Target: reordered units (lines of previously bought products) of the final order when it
falls within h days (final gap <= h), summed per product, aisle and department.

* model (`demand_forecast`): sum over users of c(h) x P_u(order within h) x P(product
  reordered), with P_u from the user's gap history (ml.forecast.gaps), the reorder model's
  probability and c(h) fitted on other users (ml.forecast.calibration).
* naive (`baseline_recent_share`): the population's P(order within h) for every user, times
  each product's reordered units per order in the same users' most recent (last prior) orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ml.forecast.accuracy import level_accuracy
from ml.forecast.calibration import units_calibration
from ml.forecast.gaps import order_probabilities, population_order_probability, population_pmf

MODEL = "demand_forecast"
NAIVE = "baseline_recent_share"
LEVEL_KEYS = {"product": "product_id", "aisle": "aisle_id", "department": "department_id"}


@dataclass(frozen=True)
class BacktestInputs:
    """Everything the backtest reads, one frame each (validation users only where it says so).

    predictions:  user_id, product_id, probability, label (validation candidates)
    gaps:         user_id, gap (prior gaps of all users; ml.forecast.gaps.prior_gaps)
    final_gaps:   user_id, final_gap (days_since_prior_order of each user's final order)
    recent_lines: user_id, product_id (reordered lines of each user's last prior order)
    products:     product_id, aisle_id, department_id
    final_orders: user_id, final_gap, reordered_lines (every user whose final order has lines;
                  the validation users among them are left out of the calibration)
    """

    predictions: pl.DataFrame
    gaps: pl.DataFrame
    final_gaps: pl.DataFrame
    recent_lines: pl.DataFrame
    products: pl.DataFrame
    final_orders: pl.DataFrame


def _per_level(units: pl.DataFrame, products: pl.DataFrame, level: str) -> pl.DataFrame:
    """(product_id, units) -> (level key, units)."""
    key = LEVEL_KEYS[level]
    if key != "product_id":
        units = units.join(products.select("product_id", key), on="product_id", how="left")
    return units.group_by(key).agg(pl.col("units").sum())


def _brier(probability: np.ndarray, outcome: np.ndarray) -> float:
    return float(np.mean((probability - outcome) ** 2))


def run_backtest(
    inputs: BacktestInputs, horizons: tuple[int, ...], prior_strength: float
) -> list[dict]:
    """Metric rows {model, metric, value} of the model and the naive forecast per horizon."""
    users = inputs.predictions.select(pl.col("user_id").cast(pl.Int64)).unique()
    pmf = population_pmf(inputs.gaps)
    calibration_users = pl.concat(
        [users["user_id"], inputs.final_orders["user_id"].cast(pl.Int64)]
    ).unique()
    all_probabilities = order_probabilities(
        inputs.gaps, calibration_users, horizons, 0, prior_strength, pmf=pmf
    )
    factors = dict(
        units_calibration(all_probabilities, inputs.final_orders, users["user_id"]).iter_rows()
    )
    probabilities = all_probabilities.join(users, on="user_id", how="semi")
    outcomes = users.join(
        inputs.final_gaps.select(pl.col("user_id").cast(pl.Int64), "final_gap"),
        on="user_id",
        how="left",
    )
    predictions = inputs.predictions.with_columns(pl.col("user_id").cast(pl.Int64))
    recent = inputs.recent_lines.with_columns(pl.col("user_id").cast(pl.Int64)).join(
        users, on="user_id", how="semi"
    )
    recent_units = recent.group_by("product_id").agg(pl.len().cast(pl.Float64).alias("units"))
    rows: list[dict] = []
    for horizon in horizons:
        suffix = f"_{horizon}d"
        within = outcomes.select(
            "user_id", (pl.col("final_gap").fill_null(10**6) <= horizon).alias("within")
        )
        user_p = probabilities.filter(pl.col("horizon_days") == horizon).join(within, on="user_id")
        population_p = population_order_probability(pmf, horizon, 0)
        scored = predictions.join(user_p, on="user_id")
        forecasts = {
            MODEL: scored.group_by("product_id").agg(
                (pl.col("order_probability") * pl.col("probability")).sum().alias("units")
                * factors[horizon]
            ),
            NAIVE: recent_units.with_columns(pl.col("units") * population_p),
        }
        actual = (
            scored.filter(pl.col("within") & (pl.col("label") == 1))
            .group_by("product_id")
            .agg(pl.len().cast(pl.Float64).alias("units"))
        )
        outcome = user_p["within"].cast(pl.Float64).to_numpy()
        order_p = {
            MODEL: user_p["order_probability"].to_numpy(),
            NAIVE: np.full(user_p.height, population_p),
        }
        for model, forecast in forecasts.items():
            values = {
                "expected_units": float(forecast["units"].sum()),
                "actual_units": float(actual["units"].sum()),
                "expected_orders": float(order_p[model].sum()),
                "actual_orders": float(outcome.sum()),
                "order_probability_brier": _brier(order_p[model], outcome),
            }
            if model == MODEL:
                values["units_calibration"] = factors[horizon]
            for level in LEVEL_KEYS:
                accuracy = level_accuracy(
                    _per_level(actual, inputs.products, level),
                    _per_level(forecast, inputs.products, level),
                    LEVEL_KEYS[level],
                )
                values |= {f"{name}_{level}": value for name, value in accuracy.items()}
            rows += [
                {"model": model, "metric": name + suffix, "value": value}
                for name, value in values.items()
            ]
    rows += [
        {"model": model, "metric": "users", "value": float(users.height)} for model in forecasts
    ]
    return rows
