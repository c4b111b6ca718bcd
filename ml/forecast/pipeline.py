"""The tables the forecast's dbt Python models write; each function is one model's body.

Inputs are DuckDB relations (what `dbt.ref` gives in dbt-duckdb) or arrow/polars frames.
"""

from __future__ import annotations

import sys
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from ml.forecast import HORIZONS
from ml.forecast.backtest import BacktestInputs, run_backtest
from ml.forecast.calibration import units_calibration
from ml.forecast.gaps import DEFAULT_PRIOR_STRENGTH, order_probabilities, prior_gaps
from ml.reorder.frame import FeatureSource, iter_batches
from ml.reorder.pipeline import METRIC_SCHEMA, Frame, to_polars

ORDER_COLUMNS = [
    "user_id",
    "eval_set",
    "order_number",
    "days_since_prior_order",
    "is_final_order",
    "reordered_lines",
]
ORDER_PROBABILITY_SCHEMA = pa.schema(
    [
        ("user_id", pa.int64()),
        ("horizon_days", pa.int32()),
        ("elapsed_days", pa.int32()),
        ("prior_gaps", pa.int32()),
        ("order_probability", pa.float64()),
        ("units_calibration", pa.float64()),
    ]
)


def _columns(frame: Frame, columns: list[str]) -> pl.DataFrame:
    """Only the needed columns, projected inside DuckDB when the frame is a relation."""
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame = frame.project(", ".join(f'"{name}"' for name in columns))
    return to_polars(frame).select(columns)


def _orders(orders: Frame) -> pl.DataFrame:
    return _columns(orders, ORDER_COLUMNS)


def _number(value: Any, default: float) -> float:
    """A number from a dbt config value (None or '' = default)."""
    return default if value is None or value == "" else float(value)


def final_orders(frame: pl.DataFrame) -> pl.DataFrame:
    """(user_id, final_gap, reordered_lines) of final orders with published lines (train)."""
    return frame.filter(pl.col("is_final_order") & (pl.col("eval_set") == "train")).select(
        pl.col("user_id").cast(pl.Int64),
        pl.col("days_since_prior_order").alias("final_gap"),
        pl.col("reordered_lines").cast(pl.Float64),
    )


def _validation_predictions(predictions: Frame) -> pl.DataFrame:
    """The reorder predictions of split 'validation' (filtered inside DuckDB for relations)."""
    if isinstance(predictions, duckdb.DuckDBPyRelation):
        predictions = predictions.filter("split = 'validation'")
    return to_polars(predictions).filter(pl.col("split") == "validation")


def order_probability_table(
    orders: Frame,
    predictions: Frame,
    elapsed_days: Any = 0,
    prior_strength: Any = DEFAULT_PRIOR_STRENGTH,
) -> pa.Table:
    """ml_forecast_order_probability: P(next order within h days) per user and horizon, and
    the horizon's units calibration (fitted on users outside the reorder validation split)."""
    frame = _orders(orders)
    table = order_probabilities(
        prior_gaps(frame),
        frame["user_id"],
        HORIZONS,
        int(_number(elapsed_days, 0)),
        _number(prior_strength, DEFAULT_PRIOR_STRENGTH),
    )
    factors = units_calibration(
        table, final_orders(frame), _validation_predictions(predictions)["user_id"]
    )
    return table.join(factors, on="horizon_days").to_arrow().cast(ORDER_PROBABILITY_SCHEMA)


def _recent_lines(order_lines: FeatureSource, last_prior: pl.DataFrame) -> pl.DataFrame:
    """Reordered lines (user_id, product_id) of the given (user_id, order_number) orders."""
    keys = last_prior.select(
        pl.col("user_id").cast(pl.Int64), pl.col("order_number").cast(pl.Int64)
    )
    parts = [
        batch.with_columns(pl.col("user_id", "order_number").cast(pl.Int64))
        .join(keys, on=["user_id", "order_number"], how="semi")
        .select("user_id", "product_id")
        for batch in iter_batches(
            order_lines,
            "eval_set = 'prior' and reordered = 1",
            columns=["user_id", "order_number", "product_id"],
        )
    ]
    schema = {"user_id": pl.Int64, "product_id": pl.Int64}
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def metrics_table(
    orders: Frame,
    predictions: Frame,
    order_lines: FeatureSource,
    products: Frame,
    prior_strength: Any = DEFAULT_PRIOR_STRENGTH,
) -> pa.Table:
    """ml_forecast_metrics: the backtest on the validation users (split 'validation')."""
    preds = _validation_predictions(predictions)
    if not preds.height:
        return METRIC_SCHEMA.empty_table()
    run_id = preds["run_id"][0]
    frame = _orders(orders)
    users = preds.select(pl.col("user_id").cast(pl.Int64)).unique()
    user_orders = frame.with_columns(pl.col("user_id").cast(pl.Int64)).join(users, on="user_id")
    last_prior = (
        user_orders.filter(pl.col("eval_set") == "prior")
        .group_by("user_id")
        .agg(pl.col("order_number").max())
    )
    final_gaps = user_orders.filter(pl.col("is_final_order")).select(
        "user_id", pl.col("days_since_prior_order").alias("final_gap")
    )
    inputs = BacktestInputs(
        predictions=preds.select(
            pl.col("user_id").cast(pl.Int64),
            pl.col("product_id").cast(pl.Int64),
            "probability",
            "label",
        ),
        gaps=prior_gaps(frame),
        final_gaps=final_gaps,
        recent_lines=_recent_lines(order_lines, last_prior),
        final_orders=final_orders(frame),
        products=_columns(products, ["product_id", "aisle_id", "department_id"]).cast(pl.Int64),
    )
    rows = run_backtest(inputs, HORIZONS, _number(prior_strength, DEFAULT_PRIOR_STRENGTH))
    print(
        "[ml.forecast] backtest department WAPE: "
        + ", ".join(
            f"{r['model']} {r['metric']}={r['value']:.4f}"
            for r in rows
            if r["metric"].startswith("wape_department")
        ),
        file=sys.stderr,
        flush=True,
    )
    return pa.Table.from_pylist(
        [{"run_id": run_id, "split": "validation", **row} for row in rows], schema=METRIC_SCHEMA
    )
