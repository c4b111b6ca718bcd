"""Cluster profiles: size, mean features, distinctive aisles, a persona label, a campaign action."""

from __future__ import annotations

import numpy as np
import polars as pl

from ml.segments.features import BEHAVIOUR_FEATURES

# (feature, phrase when the cluster mean is high, phrase when low), in z-score units of users.
TRAITS: dict[str, tuple[str, str]] = {
    "prior_orders": ("many-order", "few-order"),
    "mean_days_between_orders": ("monthly", "frequent"),
    "mean_basket_size": ("big-basket", "small-basket"),
    "reorder_ratio": ("repeat-buying", "exploring"),
    "night_order_share": ("late-night", "daytime"),
    "morning_order_share": ("morning", "later-in-day"),
    "evening_order_share": ("evening", "earlier-in-day"),
    "weekend_order_share": ("weekend", "weekday"),
    "organic_share": ("organic-loving", "conventional"),
    "department_entropy": ("broad-basket", "focused"),
    "top_weekday_share": ("fixed-weekday", "any-weekday"),
}
TOP_AISLES = 3
# An aisle is "distinctive" for a cluster by lift (cluster mean share / all users' mean share)
# among aisles holding at least this share of the cluster's lines.
MIN_AISLE_SHARE = 0.005


def persona_label(z_scores: dict[str, float], top_aisle: str | None) -> str:
    """'<trait>, <trait> shoppers (<aisle>)' from the two most extreme standardised means."""
    ranked = sorted(TRAITS, key=lambda f: -abs(z_scores.get(f, 0.0)))[:2]
    words = [TRAITS[f][0] if z_scores.get(f, 0.0) >= 0 else TRAITS[f][1] for f in ranked]
    label = f"{words[0].capitalize()}, {words[1]} shoppers"
    return f"{label} ({top_aisle})" if top_aisle else label


def top_aisles(
    clusters: pl.DataFrame, aisle_shares: pl.DataFrame, aisles: pl.DataFrame
) -> pl.DataFrame:
    """(cluster_id, top_aisles) most over-represented aisles, names comma-separated."""
    users = clusters.height
    per_user = aisle_shares.join(clusters.select("user_id", "cluster_id"), on="user_id")
    sizes = clusters.group_by("cluster_id").agg(pl.len().alias("users"))
    cluster_share = (
        per_user.group_by("cluster_id", "aisle_id")
        .agg(pl.col("aisle_share").sum())
        .join(sizes, on="cluster_id")
        .with_columns((pl.col("aisle_share") / pl.col("users")).alias("cluster_share"))
    )
    overall = per_user.group_by("aisle_id").agg((pl.col("aisle_share").sum() / users).alias("all"))
    ranked = (
        cluster_share.join(overall, on="aisle_id")
        .filter(pl.col("cluster_share") >= MIN_AISLE_SHARE)
        .with_columns((pl.col("cluster_share") / pl.col("all")).alias("lift"))
        .join(aisles.select("aisle_id", "aisle_name"), on="aisle_id", how="left")
        .sort(["cluster_id", "lift", "aisle_id"], descending=[False, True, False])
        .group_by("cluster_id", maintain_order=True)
        .head(TOP_AISLES)
    )
    return ranked.group_by("cluster_id", maintain_order=True).agg(
        pl.col("aisle_name").str.join(", ").alias("top_aisles"),
        pl.col("aisle_name").first().alias("top_aisle"),
    )


def campaign_actions(clusters: pl.DataFrame, rfm: pl.DataFrame) -> pl.DataFrame:
    """(cluster_id, dominant_rfm_segment, campaign_action): the RFM seed's action for the
    cluster's most common RFM segment (ties: the higher-priority segment)."""
    counts = (
        clusters.select("user_id", "cluster_id")
        .join(rfm.select("user_id", "segment", "segment_priority", "campaign_action"), on="user_id")
        .group_by("cluster_id", "segment", "segment_priority", "campaign_action")
        .agg(pl.len().alias("users"))
        .sort(["cluster_id", "users", "segment_priority"], descending=[False, True, False])
    )
    return (
        counts.group_by("cluster_id", maintain_order=True)
        .first()
        .select("cluster_id", pl.col("segment").alias("dominant_rfm_segment"), "campaign_action")
    )


def cluster_profiles(
    clusters: pl.DataFrame,
    behaviour: pl.DataFrame,
    aisle_shares: pl.DataFrame,
    aisles: pl.DataFrame,
    rfm: pl.DataFrame,
) -> pl.DataFrame:
    """One row per cluster (schema of ml_cluster_profiles)."""
    joined = clusters.select("user_id", "cluster_id").join(behaviour, on="user_id")
    means = joined.group_by("cluster_id").agg(
        pl.len().cast(pl.Int64).alias("user_count"),
        *[pl.col(f).cast(pl.Float64).mean().alias(f"mean_{f}") for f in BEHAVIOUR_FEATURES],
    )
    overall = {f: joined[f].cast(pl.Float64) for f in BEHAVIOUR_FEATURES}
    aisle_top = top_aisles(clusters, aisle_shares, aisles)
    actions = campaign_actions(clusters, rfm)
    profiles = (
        means.join(aisle_top, on="cluster_id", how="left")
        .join(actions, on="cluster_id", how="left")
        .sort("cluster_id")
    )
    labels = []
    for row in profiles.iter_rows(named=True):
        z = {f: _z(row[f"mean_{f}"], overall[f]) for f in TRAITS}
        labels.append(persona_label(z, row["top_aisle"]))
    labels = _unique(labels)
    return profiles.with_columns(
        pl.col("cluster_id").cast(pl.Int32),
        (pl.col("user_count") / clusters.height).alias("user_share"),
        pl.Series("persona_label", labels, dtype=pl.Utf8),
    ).select(
        "cluster_id",
        "user_count",
        "user_share",
        "persona_label",
        "campaign_action",
        "top_aisles",
        *[f"mean_{f}" for f in BEHAVIOUR_FEATURES],
        "dominant_rfm_segment",
    )


def _z(value: float | None, column: pl.Series) -> float:
    std = column.std()
    if value is None or not std:
        return 0.0
    return float((value - column.mean()) / std)  # type: ignore[operator]


def _unique(labels: list[str]) -> list[str]:
    """Append ' #n' to repeated labels so every cluster has its own name."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def assignment_quality(distances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From (users x clusters) centre distances: the nearest distance and a confidence
    1 - d_nearest / d_second (0 = on the boundary of two clusters, 1 = on the centre)."""
    ordered = np.sort(distances, axis=1)
    if ordered.shape[1] < 2:
        return ordered[:, 0], np.ones(ordered.shape[0])
    confidence = 1.0 - ordered[:, 0] / np.maximum(ordered[:, 1], 1e-12)
    return ordered[:, 0], confidence
