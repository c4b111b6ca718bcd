"""The clustering matrix: scaled behaviour features + PCA of the user x aisle share matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

# Columns of feat_user_behaviour used for clustering; counts and skewed measures are log1p'd.
BEHAVIOUR_FEATURES = [
    "prior_orders",
    "mean_days_between_orders",
    "std_days_between_orders",
    "capped_gap_share",
    "mean_basket_size",
    "reorder_ratio",
    "std_order_hour",
    "morning_order_share",
    "afternoon_order_share",
    "evening_order_share",
    "night_order_share",
    "weekend_order_share",
    "top_weekday_share",
    "organic_share",
    "distinct_product_share",
    "department_entropy",
]
LOG_FEATURES = {"prior_orders", "mean_basket_size"}


@dataclass(frozen=True)
class ClusterMatrix:
    """Rows = users (sorted by user_id); columns = scaled features then aisle components."""

    user_ids: np.ndarray
    values: np.ndarray
    pca_components: int
    pca_explained_variance: float


def behaviour_values(behaviour: pl.DataFrame) -> np.ndarray:
    """Behaviour features as a float matrix (users sorted by id), nulls as column medians."""
    frame = behaviour.sort("user_id").select(BEHAVIOUR_FEATURES)
    frame = frame.with_columns(
        [
            (
                pl.col(c).cast(pl.Float64).log1p()
                if c in LOG_FEATURES
                else pl.col(c).cast(pl.Float64)
            )
            for c in BEHAVIOUR_FEATURES
        ]
    )
    frame = frame.with_columns(
        [pl.col(c).fill_null(pl.col(c).median()) for c in BEHAVIOUR_FEATURES]
    )
    return frame.fill_null(0.0).to_numpy()


def aisle_share_matrix(aisle_shares: pl.DataFrame, user_ids: np.ndarray) -> sparse.csr_matrix:
    """Sparse users x aisles matrix of aisle_share (rows in `user_ids` order)."""
    aisle_ids = np.sort(aisle_shares["aisle_id"].unique().to_numpy())
    rows = np.searchsorted(user_ids, aisle_shares["user_id"].to_numpy())
    cols = np.searchsorted(aisle_ids, aisle_shares["aisle_id"].to_numpy())
    return sparse.csr_matrix(
        (aisle_shares["aisle_share"].to_numpy().astype(np.float64), (rows, cols)),
        shape=(user_ids.size, aisle_ids.size),
    )


def aisle_components(
    shares: sparse.csr_matrix, variance_target: float, max_components: int, seed: int
) -> tuple[np.ndarray, float]:
    """PCA scores of the aisle shares: the fewest components reaching `variance_target`.

    Each aisle's share is divided by its standard deviation first (PCA of correlations):
    otherwise the big produce aisles hold nearly all variance and niche aisles that mark a
    shopper type (baby food, international) vanish. Scores are divided by the first
    component's standard deviation, so the strongest aisle direction weighs as much as one
    scaled behaviour feature and weaker ones proportionally less.
    """
    n_max = int(min(max_components, shares.shape[1], shares.shape[0] - 1))
    pca = PCA(n_components=n_max, random_state=seed, svd_solver="randomized")
    dense = shares.toarray()
    dense /= np.maximum(dense.std(axis=0), 1e-12)
    with threadpool_limits(limits=1):
        scores = pca.fit_transform(dense)
    cumulative = np.cumsum(pca.explained_variance_ratio_)
    n_keep = int(min(np.searchsorted(cumulative, variance_target) + 1, n_max))
    kept = scores[:, :n_keep]
    return kept / kept[:, 0].std(), float(cumulative[n_keep - 1])


def cluster_matrix(
    behaviour: pl.DataFrame,
    aisle_shares: pl.DataFrame,
    variance_target: float = 0.15,
    max_components: int = 30,
    seed: int = 42,
) -> ClusterMatrix:
    """Standardised behaviour features beside the reduced aisle mix, one row per user."""
    user_ids = np.sort(behaviour["user_id"].to_numpy())
    aisle_shares = aisle_shares.filter(pl.col("user_id").is_in(user_ids))
    scaled = StandardScaler().fit_transform(behaviour_values(behaviour))
    components, explained = aisle_components(
        aisle_share_matrix(aisle_shares, user_ids), variance_target, max_components, seed
    )
    return ClusterMatrix(
        user_ids=user_ids,
        values=np.hstack([scaled, components]),
        pca_components=components.shape[1],
        pca_explained_variance=explained,
    )
