"""Expected-F1-maximising basket selection (Kaggle "Instacart Market Basket Analysis" metric).

Given the predicted reorder probabilities p_1 >= ... >= p_n of one order's candidates, treated
as independent Bernoulli events, choose the prediction that maximises the *expected* F1 of the
order, where (as in the Kaggle metric) an order with no reordered product has the truth
{None} and an empty prediction means {None}.

Exact algorithm of Nan Ye, Kian Ming Chai, Wee Sun Lee, Hai Leong Chieu (2012), "Optimizing
F-measures: a tale of two approaches" (ICML), in the form Faron used for the Instacart
competition: the optimal set of a given size k is the top-k by probability, so only the n + 1
sizes have to be scored, and the expectation for every size comes from two O(n^2) dynamic
programmes:

* C[k1, k] = P(exactly k1 of the top-k are reordered)   (forward, a Poisson-binomial table)
* S_k[i]   = E[1 / (i + R_k)], R_k = reordered items outside the top-k   (backward in k)

  E[F1 | top-k]        = sum_k1 2 k1 C[k1, k] S_k[k + k1]
  E[F1 | top-k + None] = sum_k1 2 k1 C[k1, k] S'_k[k + k1] + 2 P(None) / (k + 2)

where S' shifts the denominator by one (None counts as a predicted token) and P(None) =
prod(1 - p_i), the probability that the truth is {None}. The swap argument of Ye et al. holds
for any denominator that depends only on |prediction| and |truth|, so top-k stays optimal with
None added. `select_baskets` runs the same recursions for many orders at once (orders bucketed
by candidate count and padded with zero probabilities, which can never be worth predicting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

# Upper bound on floats held by one bucket's C table (B * (n+1)^2): ~64 MB of float64.
_BUCKET_CELLS = 8_000_000


@dataclass(frozen=True)
class Choice:
    """The optimiser's decision for one order (probabilities sorted in decreasing order)."""

    k: int  # number of top-probability products predicted
    include_none: bool  # whether the "None" token is predicted too (always when k == 0)
    expected_f1: float


def expected_f1_by_size(
    probs_desc: np.ndarray, lengths: np.ndarray | None = None, p_none: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Expected F1 of "top-k" and of "top-k + None" for every k = 0..n, for a batch of orders.

    probs_desc: (B, n) probabilities, each row sorted in decreasing order; rows shorter than n
    padded with 0. lengths: true candidate count per row (default n). p_none: P(truth = None)
    per row (default prod(1 - p)). Returns (without_none, with_none), each (B, n + 1); entries
    for k beyond a row's length are -inf. without_none[:, 0] is the empty prediction, which the
    metric reads as {None}, so it equals with_none[:, 0].
    """
    p = np.asarray(probs_desc, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError("probs_desc must be 2-D (orders x candidates)")
    b, n = p.shape
    if lengths is None:
        lengths = np.full(b, n)
    if p_none is None:
        p_none = np.prod(1.0 - p, axis=1)
    q = 1.0 - p

    # Forward table: c[:, k1, k] = P(k1 of the top-k are reordered).
    c = np.zeros((b, n + 1, n + 1))
    c[:, 0, 0] = 1.0
    for k in range(1, n + 1):
        prev = c[:, :k, k - 1]
        c[:, :k, k] = q[:, k - 1 : k] * prev
        c[:, 1 : k + 1, k] += p[:, k - 1 : k] * prev

    # Backward: s[:, i] = E[1 / (i + R_k)], s_none[:, i] = E[1 / (i + 1 + R_k)], start at k = n.
    idx = np.arange(2 * n + 2, dtype=np.float64)
    s = np.zeros((b, 2 * n + 2))
    s[:, 1:] = 1.0 / idx[1:]
    s_none = np.broadcast_to(1.0 / (idx + 1.0), (b, 2 * n + 2)).copy()
    without_none = np.empty((b, n + 1))
    with_none = np.empty((b, n + 1))
    for k in range(n, -1, -1):
        weights = 2.0 * np.arange(k + 1) * c[:, : k + 1, k]  # 2 * k1 * C[k1, k]
        without_none[:, k] = np.einsum("bj,bj->b", weights, s[:, k : 2 * k + 1])
        with_none[:, k] = np.einsum("bj,bj->b", weights, s_none[:, k : 2 * k + 1])
        with_none[:, k] += 2.0 * p_none / (k + 2.0)
        if k > 0:  # fold item k into the "outside" set for the next (smaller) k
            pk = p[:, k - 1 : k]
            s[:, 1:-1] = (1.0 - pk) * s[:, 1:-1] + pk * s[:, 2:]
            s_none[:, :-1] = (1.0 - pk) * s_none[:, :-1] + pk * s_none[:, 1:]
    without_none[:, 0] = with_none[:, 0]  # empty prediction = {None}
    beyond = np.arange(n + 1)[None, :] > np.asarray(lengths)[:, None]
    without_none[beyond] = -np.inf
    with_none[beyond] = -np.inf
    return without_none, with_none


def _choose(
    without_none: np.ndarray, with_none: np.ndarray, none_with_items: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best (k, include_none, expected F1) per row among the allowed options."""
    if not none_with_items:  # only {None} or a non-empty product set is representable
        with_none = with_none.copy()
        with_none[:, 1:] = -np.inf
    best_without = without_none.argmax(axis=1)
    best_with = with_none.argmax(axis=1)
    rows = np.arange(without_none.shape[0])
    value_without = without_none[rows, best_without]
    value_with = with_none[rows, best_with]
    # Ties go to the prediction without the None token (fewer tokens, same expectation).
    use_none = value_with > value_without
    k = np.where(use_none, best_with, best_without)
    use_none |= k == 0
    return k, use_none, np.maximum(value_with, value_without)


def best_basket(probs: np.ndarray, none_with_items: bool = True) -> tuple[np.ndarray, Choice]:
    """Optimal prediction for one order: (indices of the chosen products into `probs`, Choice).

    probs need not be sorted. With none_with_items=False the choice is restricted to {None}
    or a non-empty product set (what a plain list of product ids can represent).
    """
    probs = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-probs, kind="stable")
    without_none, with_none = expected_f1_by_size(probs[order][None, :])
    k, use_none, value = _choose(without_none, with_none, none_with_items)
    return order[: k[0]], Choice(int(k[0]), bool(use_none[0]), float(value[0]))


def select_baskets(
    predictions: pl.DataFrame,
    none_with_items: bool = False,
    order_col: str = "order_id",
    product_col: str = "product_id",
    probability_col: str = "probability",
) -> pl.DataFrame:
    """Expected-F1-optimal basket for every order of a long frame of candidate probabilities.

    Returns one row per order: order_col, `products` (list of product ids, sorted by decreasing
    probability; empty = the None basket), `include_none` (None token predicted as well, only
    possible with none_with_items=True and a non-empty product list), `expected_f1`.
    """
    ranked = predictions.select(order_col, product_col, probability_col).sort(
        [order_col, probability_col, product_col], descending=[False, True, False]
    )
    grouped = ranked.group_by(order_col, maintain_order=True).agg(
        pl.col(product_col), pl.col(probability_col), pl.len().alias("_n")
    )
    grouped = grouped.sort("_n", maintain_order=True)
    lengths = grouped["_n"].to_numpy().astype(np.int64)
    flat_probs = grouped[probability_col].explode().to_numpy().astype(np.float64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])

    chosen_k = np.zeros(len(lengths), dtype=np.int64)
    chosen_none = np.zeros(len(lengths), dtype=bool)
    chosen_value = np.zeros(len(lengths))
    start = 0
    while start < len(lengths):
        width = int(lengths[start])
        # Rows are sorted by length, so the bucket's widest row is its last one.
        rows = max(1, _BUCKET_CELLS // ((width + 1) ** 2))
        stop = min(len(lengths), start + rows)
        width = int(lengths[stop - 1])
        while stop - start > 1 and (stop - start) * (width + 1) ** 2 > 2 * _BUCKET_CELLS:
            stop = start + (stop - start) // 2
            width = int(lengths[stop - 1])
        block = np.zeros((stop - start, width))
        for r in range(start, stop):
            block[r - start, : lengths[r]] = flat_probs[offsets[r] : offsets[r + 1]]
        without_none, with_none = expected_f1_by_size(block, lengths[start:stop])
        k, use_none, value = _choose(without_none, with_none, none_with_items)
        chosen_k[start:stop], chosen_none[start:stop], chosen_value[start:stop] = (
            k,
            use_none,
            value,
        )
        start = stop

    return (
        grouped.with_columns(_k=pl.Series(chosen_k))
        .select(
            order_col,
            pl.col(product_col).list.head(pl.col("_k")).alias("products"),
            pl.Series("include_none", chosen_none & (chosen_k > 0)),
            pl.Series("expected_f1", chosen_value),
        )
        .sort(order_col)
    )
