"""The tables the dbt Python models write; each function is one model's whole body.

Inputs are DuckDB relations (what `dbt.ref` returns in dbt-duckdb) or in-memory arrow/polars
frames (tests); outputs are pyarrow tables with fixed schemas.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from ml.reorder import baselines, metrics
from ml.reorder.f1 import select_baskets
from ml.reorder.frame import FeatureSource, iter_batches
from ml.reorder.importance import feature_importance
from ml.reorder.oracle import load_true_probabilities, oracle_predictions
from ml.reorder.scoring import PREDICTION_SCHEMA, model_validation_users, score_final_orders
from ml.reorder.split import user_unit_hash
from ml.reorder.store import MODEL_NAME, load_model, model_record
from ml.reorder.train import stderr_log, train_reorder_model

BASKET_SCHEMA = pa.schema(
    [
        ("order_id", pa.int32()),
        ("user_id", pa.int32()),
        ("split", pa.string()),
        ("products", pa.list_(pa.int32())),
    ]
)
METRIC_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("model", pa.string()),
        ("split", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
    ]
)
# In-sample ("train" split) metrics are computed on at most about this many training users.
TRAIN_METRIC_USERS = 20_000

Frame = duckdb.DuckDBPyRelation | pa.Table | pl.DataFrame


def as_mapping(value: Any) -> dict[str, Any]:
    """A dict from a dbt config value (dbt may hand a rendered var over as its repr string)."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    text = str(value)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = ast.literal_eval(text)
    if not isinstance(parsed, dict):
        raise ValueError(f"expected a mapping, got {value!r}")
    return parsed


def as_bool(value: Any) -> bool:
    """A bool from a dbt config value ('true'/'True'/'1'/True)."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "on"}
    return bool(value)


def to_polars(frame: Frame) -> pl.DataFrame:
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame = frame.to_arrow_table()
    return frame if isinstance(frame, pl.DataFrame) else pl.from_arrow(frame)  # type: ignore


def model_table(
    features: FeatureSource,
    params: Any = None,
    validation_fraction: Any = 0.2,
    split_seed: Any = 42,
    augment: Any = True,
) -> pa.Table:
    """ml_reorder_model: train once, store the booster text and its provenance."""
    trained = train_reorder_model(
        features,
        overrides=as_mapping(params),
        validation_fraction=float(validation_fraction),
        split_seed=int(split_seed),
        augment=as_bool(augment),
    )
    return model_record(trained)


# Splits of ml_reorder_predictions: every user's final-order candidates. 'train' rows are
# in-sample (the model was fitted on them), for tools that need a probability for every user
# (recommendations, demand); only 'validation' rows are honest for measuring the model.
PREDICTION_SPLITS = ("train", "validation", "test")
# Splits that get a reorder basket (the fixed schema of ml_reorder_baskets).
BASKET_SPLITS = ("validation", "test")


def predictions_table(model: Frame, features: FeatureSource) -> pa.Table:
    """ml_reorder_predictions: every offset-0 candidate of train, validation and test users."""
    stored = load_model(to_polars(model))
    return score_final_orders(stored, features, PREDICTION_SPLITS)


def baskets_table(predictions: Frame) -> pa.Table:
    """ml_reorder_baskets: expected-F1-optimal product list per final order (empty = None).

    The fixed schema holds a plain product list, so the optimiser chooses among {None} and
    non-empty product sets; `None + products` (the Kaggle submission format allows it) is
    measured separately as metric mean_f1_none_with_items.
    """
    preds = to_polars(predictions).filter(pl.col("split").is_in(BASKET_SPLITS))
    chosen = select_baskets(preds, none_with_items=False)
    orders = preds.select("order_id", "user_id", "split").unique()
    return (
        orders.join(chosen, on="order_id")
        .select("order_id", "user_id", "split", "products")
        .sort("order_id")
        .to_arrow()
        .cast(BASKET_SCHEMA)
    )


def _metric_rows(run_id: str, model: str, split: str, values: Mapping[str, float]) -> list[dict]:
    return [
        {"run_id": run_id, "model": model, "split": split, "metric": k, "value": float(v)}
        for k, v in values.items()
    ]


def _prior_history(order_lines: FeatureSource, user_ids: np.ndarray) -> pl.DataFrame:
    """Prior lines (user_id, order_number, product_id) of the given users, streamed."""
    wanted = pl.Series(user_ids.astype(np.int64)).implode()
    parts = [
        batch.filter(pl.col("user_id").is_in(wanted))
        for batch in iter_batches(
            order_lines, "eval_set = 'prior'", columns=["user_id", "order_number", "product_id"]
        )
    ]
    return pl.concat(parts).with_columns(pl.col("product_id").cast(pl.Int32))


def metrics_table(
    model: Frame,
    predictions: Frame,
    baskets: Frame,
    order_lines: FeatureSource,
    data_dir: str | None = None,
) -> pa.Table:
    """ml_model_metrics: one row per (model, split, metric) of this run.

    split 'validation' = held-out train users (honest); split 'train' = in-sample predictions
    of up to TRAIN_METRIC_USERS training users (to see over-fitting, not to judge the model).
    """
    run_id = load_model(to_polars(model)).run_id
    all_preds = to_polars(predictions)
    preds = all_preds.filter(pl.col("split") == "validation")
    stored_baskets = to_polars(baskets).filter(pl.col("split") == "validation")
    labels = preds.select("user_id", "order_id", "product_id", "label")
    y = preds["label"].to_numpy()
    p = preds["probability"].to_numpy()
    rows: list[dict] = []

    # The model: pair-level, optimiser (as stored), fixed best threshold, None+products variant.
    model_mean_f1 = metrics.mean_f1(labels, stored_baskets)
    best_threshold_f1, threshold = metrics.best_threshold_mean_f1(preds)
    with_none = select_baskets(preds, none_with_items=True)
    validation = {
        **metrics.pair_metrics(y, p),
        "mean_f1": model_mean_f1,
        "mean_f1_best_threshold": best_threshold_f1,
        "best_threshold": threshold,
        "mean_f1_none_with_items": metrics.mean_f1(labels, with_none),
        # The optimiser's own forecast of mean_f1; close to it when probabilities are calibrated.
        "mean_expected_f1": float(select_baskets(preds)["expected_f1"].mean()),
        "orders": float(labels["order_id"].n_unique()),
        "candidates": float(labels.height),
        "positive_rate": float(y.mean()),
    }

    # Oracle (synthetic data only): the same optimiser fed the true probabilities.
    truth = load_true_probabilities(data_dir)
    if truth is not None:
        oracle = oracle_predictions(truth, labels)
        oracle_baskets = select_baskets(oracle, none_with_items=False)
        oracle_f1 = metrics.mean_f1(labels, oracle_baskets)
        op = oracle["probability"].to_numpy()
        oy = oracle["label"].to_numpy()
        oracle_values = {
            "roc_auc": metrics.roc_auc(oy, op),
            "pr_auc": metrics.pr_auc(oy, op),
            "log_loss": metrics.binary_log_loss(oy, op),
            "mean_f1": oracle_f1,
        }
        rows += _metric_rows(run_id, "oracle", "validation", oracle_values)
        validation["mean_f1_oracle"] = oracle_f1
        validation["mean_f1_to_oracle"] = model_mean_f1 / oracle_f1 if oracle_f1 else np.nan
    rows += _metric_rows(run_id, MODEL_NAME, "validation", validation)

    # Baselines from the validation users' prior history.
    history = _prior_history(order_lines, labels["user_id"].unique().to_numpy())
    for name, rule in (
        ("baseline_last_basket", baselines.last_basket),
        ("baseline_half_orders", baselines.half_of_orders),
    ):
        rows += _metric_rows(
            run_id, name, "validation", {"mean_f1": metrics.mean_f1(labels, rule(history, labels))}
        )

    # In-sample metrics on a fixed user sample of the training users' stored predictions.
    train_preds = all_preds.filter(pl.col("split") == "train")
    train_users = train_preds["user_id"].unique().to_numpy()
    if len(train_users):
        fraction = min(1.0, TRAIN_METRIC_USERS / len(train_users))
        keep = train_users[user_unit_hash(train_users, 7) < fraction]
        sample = train_preds.filter(pl.col("user_id").is_in(pl.Series(keep).implode()))
        sample_labels = sample.select("order_id", "product_id", "label")
        in_sample = {
            **metrics.pair_metrics(sample["label"].to_numpy(), sample["probability"].to_numpy()),
            "mean_f1": metrics.mean_f1(sample_labels, select_baskets(sample)),
            "orders": float(sample["order_id"].n_unique()),
        }
        rows += _metric_rows(run_id, MODEL_NAME, "train", in_sample)
    stderr_log(
        "validation mean F1: "
        + ", ".join(f"{r['model']}={r['value']:.4f}" for r in rows if r["metric"] == "mean_f1")
    )
    return pa.Table.from_pylist(rows, schema=METRIC_SCHEMA)


def importance_table(model: Frame, features: FeatureSource, max_rows: int = 10_000) -> pa.Table:
    """ml_reorder_feature_importance: gain and mean |contribution| per feature."""
    model_frame = to_polars(model)
    stored = load_model(model_frame)
    return feature_importance(
        stored,
        features,
        model_validation_users(stored, features),
        max_rows=max_rows,
        expected_rows=int(model_frame["validation_rows"][0]),
    )


__all__ = [
    "PREDICTION_SCHEMA",
    "as_bool",
    "as_mapping",
    "baskets_table",
    "importance_table",
    "metrics_table",
    "model_table",
    "predictions_table",
]
