"""Evaluation metrics: pair-level (every candidate is a row) and order-level (Kaggle).

Kaggle metric: mean over orders of the F1 between the predicted and the true set of
reordered products, where an order with no reordered product has the truth {None}, the
prediction may contain the "None" token, and an empty prediction means {None}.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

# Probabilities are clipped before log loss so one confident miss cannot make it infinite.
_EPS = 1e-7


def roc_auc(labels: np.ndarray, probabilities: np.ndarray) -> float:
    return float(roc_auc_score(labels, probabilities))


def pr_auc(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Area under the precision-recall curve as average precision (step-wise, no interpolation)."""
    return float(average_precision_score(labels, probabilities))


def binary_log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    clipped = np.clip(np.asarray(probabilities, dtype=np.float64), _EPS, 1 - _EPS)
    return float(log_loss(labels, clipped, labels=[0, 1]))


def best_threshold_f1(labels: np.ndarray, probabilities: np.ndarray) -> tuple[float, float]:
    """(best pair-level F1, threshold achieving it) over all thresholds "predict p >= t".

    Exact: sort by probability, every distinct probability is a candidate threshold.
    """
    labels = np.asarray(labels, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    positives = labels.sum()
    if positives == 0:
        return 0.0, 1.0
    order = np.argsort(-probabilities, kind="stable")
    p_sorted = probabilities[order]
    tp = np.cumsum(labels[order])
    predicted = np.arange(1, len(labels) + 1)
    # Only cut where the probability changes: ties are predicted together.
    last_of_tie = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    f1 = np.where(last_of_tie, 2 * tp / (predicted + positives), -1.0)
    best = int(np.argmax(f1))
    return float(f1[best]), float(p_sorted[best])


def order_f1(truth: set[int], predicted: set[int], predicted_none: bool = False) -> float:
    """Kaggle F1 of one order; empty truth/prediction stand for {None}."""
    truth_tokens: set[object] = set(truth) if truth else {"None"}
    predicted_tokens: set[object] = set(predicted) if predicted else {"None"}
    if predicted_none:
        predicted_tokens.add("None")
    hits = len(truth_tokens & predicted_tokens)
    return 2.0 * hits / (len(truth_tokens) + len(predicted_tokens))


def per_order_f1(labels: pl.DataFrame, baskets: pl.DataFrame) -> pl.DataFrame:
    """Kaggle F1 per order.

    labels: (order_id, product_id, label) for every candidate of the evaluated orders - the
    truth is the set with label 1 (a reordered product is always a prior-bought candidate).
    baskets: (order_id, products list[int], optional include_none bool). Orders of `labels`
    missing from `baskets` count as the empty prediction, i.e. {None}.
    Returns (order_id, f1).
    """
    truth = labels.group_by("order_id").agg(n_true=pl.col("label").sum().cast(pl.Int64))
    if "include_none" not in baskets.columns:
        baskets = baskets.with_columns(include_none=pl.lit(False))
    predicted = baskets.select(
        "order_id",
        n_pred=pl.col("products").list.len().cast(pl.Int64),
        with_none=(pl.col("products").list.len() == 0) | pl.col("include_none"),
    )
    hits = (
        baskets.select("order_id", product_id=pl.col("products"))
        .explode("product_id")
        .drop_nulls("product_id")
        .join(
            labels.filter(pl.col("label") == 1).select("order_id", "product_id"),
            on=["order_id", "product_id"],
            how="semi",
        )
        .group_by("order_id")
        .agg(hits=pl.len().cast(pl.Int64))
    )
    scored = (
        truth.join(predicted, on="order_id", how="left")
        .join(hits, on="order_id", how="left")
        .with_columns(
            pl.col("n_pred").fill_null(0),
            pl.col("with_none").fill_null(True),
            pl.col("hits").fill_null(0),
        )
    )
    truth_none = pl.col("n_true") == 0
    tokens_true = pl.when(truth_none).then(1).otherwise(pl.col("n_true"))
    tokens_pred = pl.col("n_pred") + pl.col("with_none").cast(pl.Int64)
    tokens_hit = pl.col("hits") + (truth_none & pl.col("with_none")).cast(pl.Int64)
    return scored.select("order_id", f1=2.0 * tokens_hit / (tokens_true + tokens_pred)).sort(
        "order_id"
    )


def mean_f1(labels: pl.DataFrame, baskets: pl.DataFrame) -> float:
    """The Kaggle metric: mean per-order F1 over the orders in `labels`."""
    return float(per_order_f1(labels, baskets)["f1"].mean())


def threshold_baskets(predictions: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Fixed-threshold baskets: products with probability >= threshold (empty = None)."""
    orders = predictions.select("order_id").unique()
    chosen = (
        predictions.filter(pl.col("probability") >= threshold)
        .group_by("order_id")
        .agg(products=pl.col("product_id").sort())
    )
    return orders.join(chosen, on="order_id", how="left").with_columns(
        pl.col("products").fill_null(pl.lit([], dtype=pl.List(pl.Int32)))
    )


def best_threshold_mean_f1(
    predictions: pl.DataFrame, grid: np.ndarray | None = None
) -> tuple[float, float]:
    """(best mean F1, threshold) of fixed-threshold baskets over a grid of thresholds.

    The threshold is chosen on the very orders it is scored on, which flatters this variant;
    the optimiser beating it is therefore a conservative comparison.
    """
    grid = np.round(np.arange(0.02, 0.61, 0.01), 2) if grid is None else grid
    best = (-1.0, float(grid[0]))
    for threshold in grid:
        score = mean_f1(predictions, threshold_baskets(predictions, float(threshold)))
        if score > best[0]:
            best = (score, float(threshold))
    return best


def pair_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC, log loss and the best-threshold pair F1 of candidate rows."""
    pair_f1, threshold = best_threshold_f1(labels, probabilities)
    return {
        "roc_auc": roc_auc(labels, probabilities),
        "pr_auc": pr_auc(labels, probabilities),
        "log_loss": binary_log_loss(labels, probabilities),
        "pair_f1_best_threshold": pair_f1,
        "pair_best_threshold": threshold,
    }
