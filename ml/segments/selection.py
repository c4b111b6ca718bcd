"""Choosing the number of clusters: KMeans and a Gaussian mixture over a range of k.

Per (algorithm, k): inertia (within-cluster sum of squares), silhouette on a fixed-size user
sample (silhouette is quadratic in users) and stability as the mean adjusted Rand index
between the labelings of every pair of seeds. The sweep fits on at most `sweep_users` users
(seeded sample) so it stays fast at full scale; the final model is refit on everyone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits


@dataclass(frozen=True)
class SweepSettings:
    """dbt vars segments_*."""

    k_min: int = 3
    k_max: int = 10
    fixed_k: int = 0  # > 0: use this k instead of the silhouette choice
    seeds: int = 3
    seed: int = 42
    sweep_users: int = 20_000
    silhouette_users: int = 5_000


def fit_labels(algorithm: str, values: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Hard labels of one fit: kmeans (one k-means++ init, so seeds differ) or gmm (diagonal
    covariances). The final model (ml.segments.pipeline) uses several inits.

    One BLAS/OpenMP thread: on a busy 2-core machine more threads made a fit 15x slower.
    """
    with threadpool_limits(limits=1):
        return _fit_labels(algorithm, values, k, seed)


def _fit_labels(algorithm: str, values: np.ndarray, k: int, seed: int) -> np.ndarray:
    if algorithm == "kmeans":
        return KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(values)
    if algorithm == "gmm":
        model = GaussianMixture(
            n_components=k, covariance_type="diag", n_init=1, random_state=seed, max_iter=100
        )
        return model.fit(values).predict(values)
    raise ValueError(f"unknown algorithm {algorithm!r}")


def inertia(values: np.ndarray, labels: np.ndarray) -> float:
    """Within-cluster sum of squared distances to the cluster means (any labeling)."""
    total = 0.0
    for label in np.unique(labels):
        members = values[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def sample_rows(n_rows: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of a seeded sample of at most `size` rows."""
    if size <= 0 or n_rows <= size:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size, replace=False))


def silhouette(values: np.ndarray, labels: np.ndarray, sample_size: int, seed: int) -> float:
    """Silhouette on a fixed seeded sample of at most `sample_size` rows."""
    if np.unique(labels).size < 2:
        return float("nan")
    rows = sample_rows(values.shape[0], sample_size, seed)
    return float(silhouette_score(values[rows], labels[rows]))


def mean_pairwise_ari(labelings: list[np.ndarray]) -> float:
    """Mean adjusted Rand index over every pair of labelings (1 = identical partitions)."""
    pairs = list(itertools.combinations(labelings, 2))
    return float(np.mean([adjusted_rand_score(a, b) for a, b in pairs])) if pairs else 1.0


def sweep(
    values: np.ndarray, settings: SweepSettings, algorithms: tuple[str, ...] = ("kmeans", "gmm")
) -> pl.DataFrame:
    """One row per (algorithm, k) with inertia, silhouette and ari_mean (seed stability)."""
    rows = sample_rows(values.shape[0], settings.sweep_users, settings.seed)
    sample = values[rows]
    records = []
    for algorithm in algorithms:
        for k in range(settings.k_min, settings.k_max + 1):
            labelings = [
                fit_labels(algorithm, sample, k, settings.seed + i) for i in range(settings.seeds)
            ]
            records.append(
                {
                    "algorithm": algorithm,
                    "k": k,
                    "inertia": inertia(sample, labelings[0]),
                    "silhouette": silhouette(
                        sample, labelings[0], settings.silhouette_users, settings.seed
                    ),
                    "ari_mean": mean_pairwise_ari(labelings),
                    "sweep_users": int(sample.shape[0]),
                    "silhouette_users": int(min(sample.shape[0], settings.silhouette_users)),
                    "seeds": settings.seeds,
                }
            )
            print(f"[segments] {algorithm} k={k}: {records[-1]}", flush=True)
    return pl.DataFrame(records)


def elbow_k(ks: np.ndarray, inertias: np.ndarray) -> int:
    """Elbow of the inertia curve: the k farthest below the chord from first to last point."""
    if ks.size < 3:
        return int(ks[0])
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (inertias - inertias[-1]) / max(inertias[0] - inertias[-1], 1e-12)
    return int(ks[np.argmax((1 - x) - y)])


def choose_k(selection: pl.DataFrame, fixed_k: int = 0) -> int:
    """fixed_k when set; else the KMeans k with the best silhouette among k >= the elbow.

    Silhouette alone tends to favour the smallest k (two or three coarse groups); requiring at
    least the elbow's k keeps the segmentation as fine as the inertia curve supports.
    """
    if fixed_k > 0:
        return fixed_k
    kmeans = selection.filter(pl.col("algorithm") == "kmeans").sort("k")
    elbow = elbow_k(kmeans["k"].to_numpy(), kmeans["inertia"].to_numpy())
    candidates = kmeans.filter(pl.col("k") >= elbow)
    return int(candidates.sort(["silhouette", "k"], descending=[True, False])["k"][0])
