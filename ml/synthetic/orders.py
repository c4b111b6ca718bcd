"""Order timelines: gaps, weekday and hour of every order, vectorised across users.

Gaps are drawn on a real (uncapped) day axis so weekdays stay consistent with
`days_since_prior_order` (dow_t = dow_{t-1} + gap mod 7, as in the real files), and habitual
users have their orders moved to their usual weekday, which also creates the weekly peaks
(7, 14, 21, 28) of the real gap histogram. Gaps >= 30 are written as 30.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.synthetic.personas import PERSONAS, Users

GAP_CAP = 30
# Order-context strength: log basket multiplier per log of (gap / personal mean gap), and noise.
CONTEXT_GAP_COEF = 0.35
# 0.6: with the basket generator's staples easier to tell apart, a larger order-level shock
# keeps the oracle's final-order F1 in the real data's band (test_synthetic_marginals.py).
CONTEXT_NOISE = 0.6
CONTEXT_GAP_SATURATES = True
# Occasional breaks (holidays, trying another shop): extra days added to a gap.
BREAK_PROB = 0.06
BREAK_DAYS = (10, 60)


@dataclass(frozen=True)
class Orders:
    """Orders of a block of users, user-major then order_number (flattened)."""

    user: np.ndarray  # global user index (user_id - 1)
    order_number: np.ndarray  # 1..n
    dow: np.ndarray
    hour: np.ndarray
    days: np.ndarray  # float, NaN for order 1, else 0..30
    context: np.ndarray  # log-odds shift of this order's basket (hidden "order size" state)
    expected_context: np.ndarray  # its predictable part (from the gap), without the shock
    is_last: np.ndarray  # final (train/test) order of its user
    first_row: np.ndarray  # index of each user's first order in these arrays (len users + 1)


def simulate_orders(rng: np.random.Generator, users: Users, lo: int, hi: int) -> Orders:
    """Simulate timelines of users lo..hi-1 with a loop over order index only."""
    n = users.n_orders[lo:hi]
    m = hi - lo
    t_max = int(n.max())
    persona = users.persona[lo:hi]
    gmean = users.gap_mean[lo:hi]
    shape = users.gap_shape[lo:hi]
    snap = users.snap[lo:hi]
    pref = users.pref_dow[lo:hi]
    dow_profile = np.array([np.asarray(p.dow) / np.sum(p.dow) for p in PERSONAS])

    day = np.zeros(m, dtype=np.int64)
    # First order: habitual weekday or a draw from the persona profile.
    cum = np.cumsum(dow_profile[persona], axis=1)
    first = (rng.random(m)[:, None] > cum).sum(axis=1)
    day[:] = np.where(rng.random(m) < snap, pref, np.minimum(first, 6))
    dows = np.empty((m, t_max), dtype=np.int64)
    gaps = np.full((m, t_max), -1, dtype=np.int64)
    dows[:, 0] = day % 7
    for t in range(1, t_max):
        raw = rng.gamma(shape, gmean / shape)
        brk = rng.random(m) < BREAK_PROB
        raw = raw + brk * rng.uniform(BREAK_DAYS[0], BREAK_DAYS[1], m)
        g = np.floor(raw + rng.random(m)).astype(np.int64)
        # Move to the habitual weekday (nearest, -3..+3 days) when the habit applies.
        shift = (pref - (day + g)) % 7
        shift = np.where(shift > 3, shift - 7, shift)
        use = (rng.random(m) < snap) & (g + shift >= 1)
        g = np.where(use, g + shift, g)
        day = day + g
        dows[:, t] = day % 7
        gaps[:, t] = g

    valid = np.arange(t_max)[None, :] < n[:, None]
    dow = dows[valid]
    gap = gaps[valid]
    user = np.repeat(np.arange(lo, hi, dtype=np.int64), n)
    first_row = np.concatenate([[0], np.cumsum(n)])
    order_number = np.arange(user.size) - np.repeat(first_row[:-1], n) + 1
    days = np.where(gap < 0, np.nan, np.minimum(gap, GAP_CAP).astype(np.float64))

    hour = _hours(rng, users, user)
    # Context: longer-than-usual gaps make bigger baskets; the noise part is unobservable.
    # The effect saturates at the cap (a basket after 45 days is like one after 30), so the
    # predictable part depends only on what days_since_prior_order records.
    cap = GAP_CAP if CONTEXT_GAP_SATURATES else np.inf
    rel = np.where(
        gap < 0,
        0.0,
        np.log(
            (np.minimum(np.maximum(gap, 0), cap) + 1.0)
            / (np.minimum(users.gap_mean[user], cap) + 1.0)
        ),
    )
    expected_context = CONTEXT_GAP_COEF * rel
    context = expected_context + CONTEXT_NOISE * rng.standard_normal(user.size)
    is_last = order_number == np.repeat(n, n)
    return Orders(
        user, order_number, dow, hour, days, context, expected_context, is_last, first_row
    )


def _hours(rng: np.random.Generator, users: Users, user: np.ndarray) -> np.ndarray:
    """Hour of each order: near the habitual hour, else from the persona's hour profile."""
    k = user.size
    cum = np.cumsum(np.stack([p.hours for p in PERSONAS]), axis=1)
    cum[:, -1] = 1.0
    persona = users.persona[user]
    drawn = np.empty(k, dtype=np.int64)
    u = rng.random(k)
    for j in range(len(PERSONAS)):
        sel = persona == j
        drawn[sel] = np.searchsorted(cum[j], u[sel], side="right")
    jitter = np.rint(rng.normal(0.0, 0.8, k)).astype(np.int64)
    habitual = (users.pref_hour[user] + jitter) % 24
    return np.where(rng.random(k) < users.hour_habit[user], habitual, np.minimum(drawn, 23))
