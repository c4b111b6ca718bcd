"""ml.segments on small hand-made frames with known answers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import adjusted_rand_score

from ml.segments.features import BEHAVIOUR_FEATURES, cluster_matrix
from ml.segments.profiles import assignment_quality, persona_label
from ml.segments.selection import (
    SweepSettings,
    choose_k,
    elbow_k,
    fit_labels,
    inertia,
    mean_pairwise_ari,
    sweep,
)


def two_blobs(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1], n // 2)
    values = rng.normal(size=(n, 3)) * 0.3 + truth[:, None] * 4.0
    return values, truth


@pytest.mark.parametrize("algorithm", ["kmeans", "gmm"])
def test_two_blobs_are_recovered(algorithm: str) -> None:
    values, truth = two_blobs()
    assert adjusted_rand_score(truth, fit_labels(algorithm, values, 2, seed=3)) == 1.0


def test_sweep_prefers_two_clusters_on_two_blobs() -> None:
    values, _ = two_blobs()
    selection = sweep(values, SweepSettings(k_min=2, k_max=4, seeds=3, silhouette_users=150))
    kmeans = selection.filter(pl.col("algorithm") == "kmeans").sort("k")
    assert kmeans["silhouette"].arg_max() == 0  # k = 2
    assert kmeans["ari_mean"][0] == pytest.approx(1.0)
    assert kmeans["inertia"].is_sorted(descending=True)
    assert set(selection["algorithm"]) == {"kmeans", "gmm"}
    assert selection["silhouette_users"].max() == 150
    assert choose_k(selection, fixed_k=0) >= 2
    assert choose_k(selection, fixed_k=5) == 5


def test_elbow_and_choice_on_a_hand_made_curve() -> None:
    ks = np.array([2, 3, 4, 5, 6, 7])
    inertias = np.array([100.0, 60.0, 30.0, 26.0, 24.0, 23.0])
    assert elbow_k(ks, inertias) == 4
    selection = pl.DataFrame(
        {
            "algorithm": ["kmeans"] * 6,
            "k": ks,
            "inertia": inertias,
            "silhouette": [0.50, 0.40, 0.30, 0.35, 0.20, 0.10],
        }
    )
    # k = 2 has the best silhouette but lies before the elbow: best at k >= 4 is 5
    assert choose_k(selection) == 5


def test_inertia_ari_and_assignment_quality_by_hand() -> None:
    values = np.array([[0.0], [2.0], [10.0], [12.0]])
    assert inertia(values, np.array([0, 0, 1, 1])) == pytest.approx(4.0)
    assert mean_pairwise_ari([np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0])]) == 1.0
    distance, confidence = assignment_quality(np.array([[1.0, 3.0], [2.0, 2.0], [0.0, 5.0]]))
    assert distance.tolist() == [1.0, 2.0, 0.0]
    assert confidence.tolist() == pytest.approx([2 / 3, 0.0, 1.0])


def test_cluster_matrix_scales_features_and_keeps_pca_components() -> None:
    rng = np.random.default_rng(1)
    users = np.arange(1, 41)
    behaviour = pl.DataFrame({"user_id": users[::-1]}).with_columns(
        [pl.Series(f, rng.random(users.size)) for f in BEHAVIOUR_FEATURES]
    )
    shares = pl.DataFrame(
        {
            "user_id": np.repeat(users, 2),
            "aisle_id": np.tile([1, 2], users.size) + np.repeat(users % 3, 2),
            "aisle_share": np.full(users.size * 2, 0.5),
        }
    )
    matrix = cluster_matrix(behaviour, shares, variance_target=0.99, max_components=3)
    assert matrix.user_ids.tolist() == users.tolist()
    assert matrix.values.shape == (40, len(BEHAVIOUR_FEATURES) + matrix.pca_components)
    scaled = matrix.values[:, : len(BEHAVIOUR_FEATURES)]
    assert np.allclose(scaled.mean(axis=0), 0.0) and np.allclose(scaled.std(axis=0), 1.0)
    assert 1 <= matrix.pca_components <= 3 and matrix.pca_explained_variance >= 0.99 - 1e-9
    first = matrix.values[:, len(BEHAVIOUR_FEATURES)]
    assert first.std() == pytest.approx(1.0)


def test_persona_label_uses_the_two_most_extreme_traits() -> None:
    z = {"night_order_share": 2.5, "mean_days_between_orders": -1.5, "organic_share": 0.2}
    assert persona_label(z, "chips") == "Late-night, frequent shoppers (chips)"
