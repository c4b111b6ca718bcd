"""The tables the segment dbt Python models write; each function is one model's whole body.

Inputs are DuckDB relations (dbt-duckdb's dbt.ref) or arrow/polars frames (tests); outputs
are pyarrow tables. The sweep (ml_cluster_selection) runs first and fixes k and the run id;
ml_user_clusters refits KMeans at that k on every user with the same matrix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from ml.reorder.pipeline import METRIC_SCHEMA, Frame, to_polars
from ml.segments.features import ClusterMatrix, cluster_matrix
from ml.segments.profiles import assignment_quality, cluster_profiles
from ml.segments.selection import SweepSettings, choose_k, sweep

MODEL_KMEANS = "segments_kmeans"
MODEL_GMM = "segments_gmm"
PERSONA_TRUTH = Path("truth") / "user_personas.csv"


@dataclass(frozen=True)
class SegmentSettings:
    """Everything a run depends on (dbt vars segments_*)."""

    sweep: SweepSettings = field(default_factory=SweepSettings)
    pca_variance: float = 0.15
    pca_max_components: int = 30


def build_matrix(behaviour: Frame, aisle_shares: Frame, settings: SegmentSettings) -> ClusterMatrix:
    return cluster_matrix(
        to_polars(behaviour),
        to_polars(aisle_shares),
        variance_target=settings.pca_variance,
        max_components=settings.pca_max_components,
        seed=settings.sweep.seed,
    )


def run_id_for(matrix: ClusterMatrix) -> str:
    """trained_at (UTC) + the first 10 hex digits of a hash of the clustering matrix."""
    digest = hashlib.sha256(matrix.user_ids.tobytes() + matrix.values.round(9).tobytes())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{digest.hexdigest()[:10]}"


def selection_table(behaviour: Frame, aisle_shares: Frame, settings: SegmentSettings) -> pa.Table:
    """ml_cluster_selection: the (algorithm, k) sweep, the chosen k and the PCA record."""
    matrix = build_matrix(behaviour, aisle_shares, settings)
    selection = sweep(matrix.values, settings.sweep)
    chosen = choose_k(selection, settings.sweep.fixed_k)
    table = selection.with_columns(
        pl.col("k").cast(pl.Int32),
        (pl.col("k") == chosen).alias("is_chosen_k"),
        pl.lit(matrix.pca_components, dtype=pl.Int32).alias("pca_components"),
        pl.lit(matrix.pca_explained_variance).alias("pca_explained_variance"),
        pl.lit(matrix.values.shape[0], dtype=pl.Int64).alias("users"),
        pl.lit(run_id_for(matrix)).alias("run_id"),
    )
    return table.to_arrow()


def clusters_table(
    behaviour: Frame, aisle_shares: Frame, selection: Frame, settings: SegmentSettings
) -> pa.Table:
    """ml_user_clusters: final KMeans at the chosen k on every user, plus a 2-D projection."""
    chosen = to_polars(selection).filter(pl.col("is_chosen_k"))
    k = int(chosen["k"][0])
    run_id = str(chosen["run_id"][0])
    matrix = build_matrix(behaviour, aisle_shares, settings)
    with threadpool_limits(limits=1):
        model = KMeans(n_clusters=k, n_init=4, random_state=settings.sweep.seed)
        labels = model.fit_predict(matrix.values)
        distance, confidence = assignment_quality(model.transform(matrix.values))
        projection = PCA(n_components=2, random_state=settings.sweep.seed).fit_transform(
            matrix.values
        )
    labels = _relabel_by_size(labels)
    return pa.table(
        {
            "user_id": pa.array(matrix.user_ids, pa.int64()),
            "cluster_id": pa.array(labels, pa.int32()),
            "distance": pa.array(distance, pa.float64()),
            "confidence": pa.array(confidence, pa.float64()),
            "pc1": pa.array(projection[:, 0], pa.float64()),
            "pc2": pa.array(projection[:, 1], pa.float64()),
            "run_id": pa.array([run_id] * matrix.user_ids.size, pa.string()),
        }
    )


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster ids 0.. from the largest cluster down (ties: old id), so ids read as ranks."""
    ids, counts = np.unique(labels, return_counts=True)
    order = ids[np.lexsort((ids, -counts))]
    mapping = np.empty(ids.max() + 1, dtype=np.int64)
    mapping[order] = np.arange(order.size)
    return mapping[labels]


def profiles_table(
    clusters: Frame, behaviour: Frame, aisle_shares: Frame, aisles: Frame, rfm: Frame
) -> pa.Table:
    """ml_cluster_profiles: one row per cluster."""
    profiles = cluster_profiles(
        to_polars(clusters),
        to_polars(behaviour),
        to_polars(aisle_shares),
        to_polars(aisles),
        to_polars(rfm),
    )
    return profiles.with_columns(pl.col("cluster_id").cast(pl.Int32)).to_arrow()


def load_personas(data_dir: str | Path | None) -> pl.DataFrame | None:
    """(user_id, persona_id) planted by ml.synthetic, or None for real data."""
    if not data_dir or not (Path(data_dir) / PERSONA_TRUTH).exists():
        return None
    return pl.read_csv(Path(data_dir) / PERSONA_TRUTH, columns=["user_id", "persona_id"])


def metrics_table(selection: Frame, clusters: Frame, data_dir: str | None) -> pa.Table:
    """ml_segment_metrics: the chosen k's figures for KMeans and the Gaussian mixture.

    split 'train': clustering is unsupervised and in-sample; silhouette and ARI across seeds
    come from the sweep (on its documented user sample), ari_vs_personas (synthetic data
    only) from the final KMeans on every user.
    """
    selection_frame = to_polars(selection)
    clusters_frame = to_polars(clusters)
    chosen = selection_frame.filter(pl.col("is_chosen_k"))
    run_id = str(chosen["run_id"][0])
    rows: list[tuple[str, str, float]] = []
    for algorithm, model in (("kmeans", MODEL_KMEANS), ("gmm", MODEL_GMM)):
        record = chosen.filter(pl.col("algorithm") == algorithm)
        if record.height == 0:
            continue
        rows += [
            (model, "k", float(record["k"][0])),
            (model, "silhouette", float(record["silhouette"][0])),
            (model, "ari_across_seeds", float(record["ari_mean"][0])),
            (model, "inertia", float(record["inertia"][0])),
            (model, "sweep_users", float(record["sweep_users"][0])),
            (model, "silhouette_sample_users", float(record["silhouette_users"][0])),
        ]
    shares = clusters_frame.group_by("cluster_id").len()["len"].to_numpy() / clusters_frame.height
    rows += [
        (MODEL_KMEANS, "users", float(clusters_frame.height)),
        (MODEL_KMEANS, "size_balance_min_over_max", float(shares.min() / shares.max())),
        (MODEL_KMEANS, "pca_components", float(chosen["pca_components"][0])),
        (MODEL_KMEANS, "pca_explained_variance", float(chosen["pca_explained_variance"][0])),
    ]
    personas = load_personas(data_dir)
    if personas is not None:
        joined = clusters_frame.select("user_id", "cluster_id").join(personas, on="user_id")
        ari = adjusted_rand_score(joined["persona_id"].to_numpy(), joined["cluster_id"].to_numpy())
        rows.append((MODEL_KMEANS, "ari_vs_personas", float(ari)))
    return pa.table(
        {
            "run_id": [run_id] * len(rows),
            "model": [r[0] for r in rows],
            "split": ["train"] * len(rows),
            "metric": [r[1] for r in rows],
            "value": [r[2] for r in rows],
        },
        schema=METRIC_SCHEMA,
    )
