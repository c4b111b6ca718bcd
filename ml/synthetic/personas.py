"""Shopper personas and per-user parameters.

A persona fixes the *distribution* of a user's behaviour (cadence, basket size, aisle mix,
hour/dow habits, reorder propensity); each user then draws personal parameters around it so
personas overlap (clusterable, but not trivially separable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ml.synthetic.catalog import Catalog


def _hours(peaks: list[tuple[float, float, float]], floor: float = 0.02) -> np.ndarray:
    """Hour-of-day profile as a mixture of circular bumps (centre, width, weight)."""
    h = np.arange(24.0)
    w = np.full(24, floor)
    for centre, width, weight in peaks:
        d = np.minimum(np.abs(h - centre), 24 - np.abs(h - centre))
        w += weight * np.exp(-0.5 * (d / width) ** 2)
    return w / w.sum()


@dataclass(frozen=True)
class Persona:
    """Behavioural template of one shopper type (see module docstring)."""

    name: str
    share: float  # share of users
    extra_orders: float  # mean of (orders - 4) before the 100 cap (rescaled globally)
    orders_shape: float  # gamma shape of (orders - 4); < 1 means a heavy tail
    gap_mean: float  # mean true days between orders (may exceed 30; recorded capped at 30)
    gap_shape: float  # gamma shape of gaps (higher = more regular)
    snap: float  # probability an order is moved to the user's habitual weekday
    dow: tuple[float, ...]  # weekday profile of habits
    hours: np.ndarray  # hour-of-day profile
    n_staples: float  # mean repertoire size
    # mean, sd of the base log-odds of strong staples (the sd is only used where it is wider
    # than baskets.PRODUCT_LOGIT_SD, which it currently never is)
    staple_logit: tuple[float, float]
    weak_share: float  # share of the repertoire that is weak (occasional) staples
    explore: float  # mean number of exploration draws per order
    dept_mult: dict[str, float] = field(default_factory=dict)
    aisle_mult: dict[str, float] = field(default_factory=dict)
    organic_mult: float = 1.0


PERSONAS: tuple[Persona, ...] = (
    Persona(
        name="health_weekly_regular",
        share=0.22,
        extra_orders=20.0,
        orders_shape=1.2,
        gap_mean=7.0,
        gap_shape=3.0,
        snap=0.3,
        dow=(0.2, 0.24, 0.12, 0.11, 0.11, 0.11, 0.11),
        hours=_hours([(10, 2.0, 1.0), (15, 2.0, 0.6)], 0.01),
        n_staples=28,
        staple_logit=(-0.60, 0.9),
        weak_share=0.5,
        explore=1.1,
        dept_mult={
            "Fresh Produce": 2.5,
            "Health Foods": 6.0,
            "Dairy & Eggs": 1.1,
            "Snacks & Sweets": 0.45,
            "Frozen Foods": 0.6,
            "Wine, Beer & Spirits": 0.3,
        },
        organic_mult=4.0,
    ),
    Persona(
        name="bulk_monthly_stocker",
        share=0.14,
        extra_orders=6.0,
        orders_shape=1.0,
        gap_mean=34.0,
        gap_shape=5.0,
        snap=0.35,
        dow=(0.26, 0.16, 0.1, 0.1, 0.1, 0.12, 0.16),
        hours=_hours([(11, 2.5, 1.0), (14, 2.0, 0.8)], 0.01),
        n_staples=61,
        staple_logit=(-1.05, 0.9),
        weak_share=0.5,
        explore=5.7,
        dept_mult={
            "Household Supplies": 5.0,
            "Pantry Staples": 2.2,
            "Canned & Jarred": 2.5,
            "Frozen Foods": 1.6,
            "Beverages": 1.4,
            "Bulk Bins": 6.0,
            "Personal Care": 2.5,
            "Pasta, Rice & Grains": 2.0,
            "Fresh Produce": 0.6,
        },
    ),
    Persona(
        name="late_night_convenience",
        share=0.11,
        extra_orders=16.0,
        orders_shape=1.0,
        gap_mean=4.0,
        gap_shape=2.0,
        snap=0.15,
        dow=(0.13, 0.13, 0.14, 0.14, 0.14, 0.16, 0.16),
        hours=_hours([(21.5, 1.5, 1.0), (18, 2.0, 0.4), (0.5, 1.0, 0.25)], 0.01),
        n_staples=17,
        staple_logit=(-0.75, 0.9),
        weak_share=0.5,
        explore=1.4,
        dept_mult={
            "Snacks & Sweets": 3.5,
            "Beverages": 2.8,
            "Frozen Foods": 2.2,
            "Wine, Beer & Spirits": 4.0,
            "Fresh Produce": 0.3,
            "Dairy & Eggs": 0.5,
            "Deli & Prepared": 1.6,
        },
    ),
    Persona(
        name="family_shopper",
        share=0.17,
        extra_orders=13.0,
        orders_shape=1.1,
        gap_mean=8.5,
        gap_shape=3.5,
        snap=0.3,
        dow=(0.27, 0.22, 0.1, 0.1, 0.1, 0.1, 0.11),
        hours=_hours([(9, 1.5, 1.0), (16.5, 1.5, 0.8)], 0.01),
        n_staples=54,
        staple_logit=(-0.80, 0.9),
        weak_share=0.5,
        explore=3.9,
        dept_mult={
            "Baby & Kids": 14.0,
            "Dairy & Eggs": 2.0,
            "Breakfast & Cereal": 4.0,
            "Bakery & Bread": 1.6,
            "Meat & Seafood": 1.6,
            "Snacks & Sweets": 1.3,
        },
    ),
    Persona(
        name="exploratory_foodie",
        share=0.17,
        extra_orders=10.0,
        orders_shape=1.0,
        gap_mean=12.0,
        gap_shape=3.0,
        snap=0.3,
        dow=(0.15, 0.13, 0.12, 0.12, 0.13, 0.17, 0.18),
        hours=_hours([(18, 1.5, 0.8), (13, 2.0, 1.0)], 0.01),
        n_staples=19,
        staple_logit=(-1.35, 0.9),
        weak_share=0.6,
        explore=4.8,
        dept_mult={
            "International Cuisine": 12.0,
            "Deli & Prepared": 4.0,
            "Wine, Beer & Spirits": 5.0,
            "Meat & Seafood": 1.8,
            "Pasta, Rice & Grains": 1.5,
        },
        aisle_mult={"cheese blocks and wedges": 4.0, "fresh herbs and aromatics": 2.5},
        organic_mult=1.5,
    ),
    Persona(
        name="low_engagement_churner",
        share=0.18,
        extra_orders=1.6,
        orders_shape=1.0,
        gap_mean=30.0,
        gap_shape=1.8,
        snap=0.1,
        dow=(0.16, 0.15, 0.14, 0.14, 0.14, 0.13, 0.14),
        hours=_hours([(12, 4.0, 1.0)], 0.02),
        n_staples=17,
        staple_logit=(-0.80, 0.9),
        weak_share=0.6,
        explore=2.6,
        dept_mult={},
    ),
)

N_PERSONAS = len(PERSONAS)


def persona_product_weights(catalog: Catalog) -> np.ndarray:
    """(n_personas, n_products) purchase distribution per persona (rows sum to 1)."""
    dept_index = {d: i for i, d in enumerate(catalog.department_names)}
    aisle_index = {a: i for i, a in enumerate(catalog.aisle_names)}
    dept_of = catalog.aisle_department[catalog.aisle_of]
    out = np.empty((N_PERSONAS, catalog.popularity.size))
    for k, p in enumerate(PERSONAS):
        dm = np.ones(len(catalog.department_names))
        for d, m in p.dept_mult.items():
            dm[dept_index[d]] = m
        am = np.ones(len(catalog.aisle_names))
        for a, m in p.aisle_mult.items():
            am[aisle_index[a]] = m
        w = catalog.popularity * dm[dept_of] * am[catalog.aisle_of]
        w = w * np.where(catalog.organic, p.organic_mult, 1.0)
        out[k] = w / w.sum()
    return out


def assign_personas(rng: np.random.Generator, n_users: int) -> np.ndarray:
    """Persona index per user with exact (rounded) shares, in random user order.

    Exact counts instead of i.i.d. draws keep marginals (orders per user, gaps) stable even at
    a few thousand users.
    """
    shares = np.array([p.share for p in PERSONAS])
    counts = np.floor(shares / shares.sum() * n_users).astype(np.int64)
    rest = n_users - counts.sum()
    counts[np.argsort(-shares)[:rest]] += 1
    labels = np.repeat(np.arange(N_PERSONAS), counts)
    return rng.permutation(labels)


MIN_ORDERS, MAX_ORDERS = 4, 100
TARGET_MEAN_ORDERS = 3_421_083 / 206_209  # real orders per user (16.59)
N_FAVOURITE_AISLES = 3


@dataclass(frozen=True)
class Users:
    """Per-user parameters (arrays of length n_users, index = user_id - 1)."""

    persona: np.ndarray  # persona index
    n_orders: np.ndarray  # 4..100, including the final (train/test) order
    is_train: np.ndarray  # final order is train (else test)
    gap_mean: np.ndarray  # personal mean true gap in days
    gap_shape: np.ndarray  # gamma shape of gaps (regularity)
    snap: np.ndarray  # probability an order lands on the habitual weekday
    pref_dow: np.ndarray  # habitual weekday
    pref_hour: np.ndarray  # habitual hour
    hour_habit: np.ndarray  # probability an order is placed around the habitual hour
    explore: np.ndarray  # mean exploration draws per order
    n_staples: np.ndarray  # repertoire size
    fav_aisles: np.ndarray  # (n_users, 3) personal favourite aisles
    fav_weights: np.ndarray  # (n_users, 3) weights of the favourites (rows sum to 1)
    fav_mix: np.ndarray  # share of exploration drawn from the favourite aisles


def _weibull_extra(u: np.ndarray, shape: float, mean: float) -> np.ndarray:
    """Inverse CDF of a Weibull with the given shape and mean (closed form, no scipy)."""
    scale = mean / math.gamma(1.0 + 1.0 / shape)
    return scale * (-np.log1p(-u)) ** (1.0 / shape)


def _orders_from_uniform(u: np.ndarray, persona: Persona, scale: float) -> np.ndarray:
    """Map uniforms to order counts: 4 + Weibull tail, capped at 100 (bump at the cap)."""
    extra = _weibull_extra(u, persona.orders_shape, persona.extra_orders * scale)
    return np.minimum(MIN_ORDERS + np.floor(extra), MAX_ORDERS).astype(np.int64)


def _orders_scale() -> float:
    """Global factor on `extra_orders` that makes the expected mean exactly 16.59 orders/user."""
    grid = (np.arange(20_000) + 0.5) / 20_000
    shares = np.array([p.share for p in PERSONAS])
    shares = shares / shares.sum()

    def mean_orders(scale: float) -> float:
        return float(
            sum(
                s * _orders_from_uniform(grid, p, scale).mean()
                for s, p in zip(shares, PERSONAS, strict=True)
            )
        )

    lo, hi = 0.2, 5.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mean_orders(mid) < TARGET_MEAN_ORDERS else (lo, mid)
    return 0.5 * (lo + hi)


def _stratified_uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniforms, one per equal-width stratum, shuffled: low-variance sample of U(0,1)."""
    return (rng.permutation(n) + rng.random(n)) / max(n, 1)


def draw_users(
    rng: np.random.Generator, n_users: int, aisle_weights: np.ndarray, train_share: float
) -> Users:
    """Draw all per-user parameters (vectorised; cheap even at 206k users).

    aisle_weights: (n_personas, n_aisles) persona aisle mass; favourite aisles are drawn from
    its square root, so favourites follow the persona but reach into its less common aisles.
    """
    persona = assign_personas(rng, n_users)
    n_orders = np.empty(n_users, dtype=np.int64)
    scale = _orders_scale()
    gap_mean = np.empty(n_users)
    gap_shape = np.empty(n_users)
    snap = np.empty(n_users)
    pref_dow = np.empty(n_users, dtype=np.int64)
    pref_hour = np.empty(n_users, dtype=np.int64)
    explore = np.empty(n_users)
    n_staples = np.empty(n_users, dtype=np.int64)
    fav_aisles = np.empty((n_users, N_FAVOURITE_AISLES), dtype=np.int64)
    for k, p in enumerate(PERSONAS):
        idx = np.flatnonzero(persona == k)
        m = idx.size
        u = _stratified_uniform(rng, m)
        n_orders[idx] = _orders_from_uniform(u, p, scale)
        # Heavy users shop a bit more often than light users of the same persona.
        engagement = np.log((n_orders[idx] - 3.0) / (p.extra_orders * scale + 1.0))
        gap_mean[idx] = p.gap_mean * np.exp(0.25 * rng.standard_normal(m) - 0.08 * engagement)
        gap_shape[idx] = p.gap_shape * np.exp(0.3 * rng.standard_normal(m))
        snap[idx] = np.clip(p.snap + 0.15 * rng.standard_normal(m), 0.0, 0.95)
        pref_dow[idx] = rng.choice(7, m, p=np.asarray(p.dow) / np.sum(p.dow))
        pref_hour[idx] = rng.choice(24, m, p=p.hours)
        explore[idx] = p.explore * np.exp(0.6 * rng.standard_normal(m) - 0.18)
        size = p.n_staples * np.exp(0.3 * rng.standard_normal(m))
        n_staples[idx] = np.maximum(2, rng.poisson(size))
        fav_p = np.sqrt(aisle_weights[k]) / np.sqrt(aisle_weights[k]).sum()
        fav_aisles[idx] = rng.choice(fav_p.size, (m, N_FAVOURITE_AISLES), p=fav_p)
    is_train = np.zeros(n_users, dtype=bool)
    is_train[rng.permutation(n_users)[: round(train_share * n_users)]] = True
    fav_weights = rng.dirichlet(np.ones(N_FAVOURITE_AISLES), n_users)
    return Users(
        persona=persona,
        n_orders=n_orders,
        is_train=is_train,
        gap_mean=gap_mean,
        gap_shape=gap_shape,
        snap=snap,
        pref_dow=pref_dow,
        pref_hour=pref_hour,
        hour_habit=np.clip(0.6 + 0.15 * rng.standard_normal(n_users), 0.2, 0.9),
        explore=explore,
        n_staples=n_staples,
        fav_aisles=fav_aisles,
        fav_weights=fav_weights,
        fav_mix=rng.beta(2.0, 5.0, n_users),
    )
