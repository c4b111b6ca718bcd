"""The expected-F1 optimiser against brute force over every subset and every outcome."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from ml.reorder.f1 import best_basket, expected_f1_by_size, select_baskets
from ml.reorder.metrics import order_f1


def exact_expected_f1(probs: np.ndarray, chosen: set[int], with_none: bool) -> float:
    """E[Kaggle F1] of one prediction, summing over all 2^n independent outcomes."""
    total = 0.0
    n = len(probs)
    for outcome in itertools.product([0, 1], repeat=n):
        weight = np.prod([p if o else 1 - p for p, o in zip(probs, outcome, strict=True)])
        truth = {i for i in range(n) if outcome[i]}
        total += weight * order_f1(truth, chosen, predicted_none=with_none)
    return float(total)


def brute_force(probs: np.ndarray, none_with_items: bool) -> float:
    """Best expected F1 over every product subset (and None token, when allowed)."""
    best = 0.0
    n = len(probs)
    for size in range(n + 1):
        for subset in itertools.combinations(range(n), size):
            options = [False, True] if (none_with_items and subset) else [False]
            for with_none in options:
                best = max(best, exact_expected_f1(probs, set(subset), with_none))
    return best


@pytest.mark.parametrize("none_with_items", [True, False])
def test_optimiser_matches_brute_force(none_with_items: bool) -> None:
    rng = np.random.default_rng(2012)
    for _ in range(60):
        n = int(rng.integers(1, 7))
        probs = rng.random(n) ** rng.uniform(0.3, 3.0)  # from mostly-low to mostly-high
        chosen, choice = best_basket(probs, none_with_items=none_with_items)
        assert choice.expected_f1 == pytest.approx(brute_force(probs, none_with_items), abs=1e-9)
        # the reported expectation is that of the returned prediction
        realised = exact_expected_f1(probs, set(chosen.tolist()), choice.include_none)
        assert choice.expected_f1 == pytest.approx(realised, abs=1e-9)
        # and the chosen products are the most probable ones
        assert sorted(probs[chosen]) == sorted(np.sort(probs)[::-1][: choice.k])


def test_known_cases() -> None:
    # nothing likely: predict None, which is right with probability 0.99^3
    chosen, choice = best_basket(np.array([0.01, 0.01, 0.01]))
    assert chosen.size == 0 and choice.include_none
    assert choice.expected_f1 == pytest.approx(0.99**3)
    # certain items: predict exactly them
    chosen, choice = best_basket(np.array([1.0, 0.0, 1.0]))
    assert sorted(chosen.tolist()) == [0, 2] and not choice.include_none
    assert choice.expected_f1 == pytest.approx(1.0)
    # one coin flip: {item} scores 0.5, {None} 0.5, {item, None} 2/3 either way
    without_none, with_none = expected_f1_by_size(np.array([[0.5]]))
    assert without_none[0].tolist() == pytest.approx([0.5, 0.5])
    assert with_none[0].tolist() == pytest.approx([0.5, 2 / 3])
    chosen, choice = best_basket(np.array([0.5]), none_with_items=True)
    assert chosen.tolist() == [0] and choice.include_none
    assert choice.expected_f1 == pytest.approx(2 / 3)
    _, restricted = best_basket(np.array([0.5]), none_with_items=False)
    assert restricted.expected_f1 == pytest.approx(0.5)  # {item} and {None} tie


def test_padding_rows_beyond_length_are_never_chosen() -> None:
    without_none, with_none = expected_f1_by_size(np.array([[0.9, 0.0, 0.0]]), np.array([1]))
    assert np.isneginf(without_none[0, 2:]).all() and np.isneginf(with_none[0, 2:]).all()


def test_batched_selection_equals_one_order_at_a_time() -> None:
    rng = np.random.default_rng(5)
    rows = []
    # lengths up to 400 so the batch is split into several padded buckets
    for order_id, n in enumerate([1, 2, 3, 5, 8, 40, 41, 120, 400, *rng.integers(1, 60, 80)]):
        probs = rng.beta(0.5, 3.0, size=int(n))
        rows += [(order_id, 1000 + j, float(p)) for j, p in enumerate(probs)]
    frame = pl.DataFrame(rows, schema=["order_id", "product_id", "probability"], orient="row")
    for none_with_items in (False, True):
        batched = select_baskets(frame, none_with_items=none_with_items)
        assert batched.height == frame["order_id"].n_unique()
        for order in batched.iter_rows(named=True):
            mine = frame.filter(pl.col("order_id") == order["order_id"])
            chosen, choice = best_basket(mine["probability"].to_numpy(), none_with_items)
            assert set(order["products"]) == set(mine["product_id"].to_numpy()[chosen].tolist())
            assert order["expected_f1"] == pytest.approx(choice.expected_f1, abs=1e-9)
            assert order["include_none"] == (choice.include_none and choice.k > 0)
