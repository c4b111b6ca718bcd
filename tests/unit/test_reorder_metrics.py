"""Metrics against sklearn and hand-computed answers; baselines on a toy history."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import f1_score, log_loss, roc_auc_score

from ml.reorder import baselines, metrics


def test_pair_metrics_against_sklearn() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    p = np.clip(0.3 * y + rng.random(500) * 0.7, 0, 1)
    values = metrics.pair_metrics(y, p)
    assert values["roc_auc"] == pytest.approx(roc_auc_score(y, p))
    assert values["log_loss"] == pytest.approx(log_loss(y, p))
    # best-threshold F1 equals the best of sklearn's F1 over every distinct threshold
    best = max(f1_score(y, p >= t) for t in np.unique(p))
    assert values["pair_f1_best_threshold"] == pytest.approx(best)
    assert f1_score(y, p >= values["pair_best_threshold"]) == pytest.approx(best)


def test_order_f1_hand_cases() -> None:
    assert metrics.order_f1({1, 2}, {1, 2}) == 1.0
    assert metrics.order_f1({1, 2}, {1}) == pytest.approx(2 / 3)
    assert metrics.order_f1(set(), set()) == 1.0  # None vs None
    assert metrics.order_f1(set(), {1}) == 0.0
    assert metrics.order_f1(set(), {1}, predicted_none=True) == pytest.approx(2 / 3)
    assert metrics.order_f1({1}, set()) == 0.0


LABELS = pl.DataFrame(
    {
        "order_id": [10, 10, 10, 20, 20, 30],
        "product_id": [1, 2, 3, 4, 5, 6],
        "label": [1, 1, 0, 0, 0, 1],
    }
)


def test_mean_f1_with_none_on_both_sides() -> None:
    baskets = pl.DataFrame(
        {"order_id": [10, 20, 30], "products": [[1, 3], [], [6, 99]]},
        schema={"order_id": pl.Int64, "products": pl.List(pl.Int64)},
    )
    per_order = metrics.per_order_f1(LABELS, baskets)
    # 10: truth {1,2}, pred {1,3} -> 0.5; 20: None vs None -> 1; 30: {6} vs {6,99} -> 2/3
    assert per_order["f1"].to_list() == pytest.approx([0.5, 1.0, 2 / 3])
    assert metrics.mean_f1(LABELS, baskets) == pytest.approx((0.5 + 1 + 2 / 3) / 3)
    # an order missing from the baskets is the None prediction
    only_10 = baskets.filter(pl.col("order_id") == 10)
    assert metrics.per_order_f1(LABELS, only_10)["f1"].to_list() == pytest.approx([0.5, 1.0, 0])
    # "None" predicted alongside products
    with_none = baskets.with_columns(include_none=pl.Series([False, False, True]))
    assert metrics.per_order_f1(LABELS, with_none)["f1"][2] == pytest.approx(2 * 1 / (1 + 3))


def test_mean_f1_agrees_with_order_f1_on_random_baskets() -> None:
    rng = np.random.default_rng(3)
    rows, baskets = [], []
    for order_id in range(50):
        labels = rng.integers(0, 2, 6) * (rng.random() < 0.8)
        predicted = [j for j in range(6) if rng.random() < 0.4]
        rows += [(order_id, j, int(labels[j])) for j in range(6)]
        baskets.append((order_id, predicted, {j for j in range(6) if labels[j]}))
    labels_frame = pl.DataFrame(rows, schema=["order_id", "product_id", "label"], orient="row")
    basket_frame = pl.DataFrame(
        {"order_id": [b[0] for b in baskets], "products": [b[1] for b in baskets]},
        schema={"order_id": pl.Int64, "products": pl.List(pl.Int64)},
    )
    expected = np.mean([metrics.order_f1(truth, set(pred)) for _, pred, truth in baskets])
    assert metrics.mean_f1(labels_frame, basket_frame) == pytest.approx(expected)


def test_threshold_baskets_and_best_threshold() -> None:
    predictions = LABELS.with_columns(
        probability=pl.Series([0.9, 0.6, 0.2, 0.1, 0.05, 0.7]),
        product_id=pl.col("product_id").cast(pl.Int32),
    )
    at_half = metrics.threshold_baskets(predictions, 0.5).sort("order_id")
    assert [sorted(p) for p in at_half["products"].to_list()] == [[1, 2], [], [6]]
    best, threshold = metrics.best_threshold_mean_f1(predictions)
    assert best == pytest.approx(1.0) and 0.2 < threshold <= 0.6


HISTORY = pl.DataFrame(
    {  # user 1: orders 1-4, user 2: orders 1-2
        "user_id": [1, 1, 1, 1, 1, 1, 1, 2, 2, 2],
        "order_number": [1, 1, 2, 3, 3, 4, 4, 1, 2, 2],
        "product_id": [100, 101, 100, 100, 102, 102, 103, 200, 200, 201],
    }
)
CANDIDATES = pl.DataFrame(
    {
        "user_id": [1, 1, 1, 1, 2, 2],
        "order_id": [9, 9, 9, 9, 8, 8],
        "product_id": [100, 101, 102, 103, 200, 201],
    }
)


def test_last_basket_baseline() -> None:
    result = baselines.last_basket(HISTORY, CANDIDATES)
    assert dict(zip(result["order_id"], result["products"].to_list(), strict=True)) == {
        8: [200, 201],
        9: [102, 103],
    }


def test_half_of_orders_baseline() -> None:
    # user 1 (4 orders): 100 in 3, 102 in 2, 101 and 103 in 1; user 2 (2 orders): 200 in 2, 201 in 1
    result = baselines.half_of_orders(HISTORY, CANDIDATES)
    assert dict(zip(result["order_id"], result["products"].to_list(), strict=True)) == {
        8: [200, 201],
        9: [100, 102],
    }


def test_baseline_can_be_the_none_basket() -> None:
    history = pl.DataFrame(
        {"user_id": [5, 5, 5], "order_number": [1, 2, 3], "product_id": [1, 2, 3]}
    )
    candidates = pl.DataFrame({"user_id": [5] * 3, "order_id": [7] * 3, "product_id": [1, 2, 3]})
    assert baselines.half_of_orders(history, candidates)["products"].to_list() == [[]]
