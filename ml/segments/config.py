"""Settings of a segments run from dbt model configs (rendered vars)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ml.segments.pipeline import SegmentSettings
from ml.segments.selection import SweepSettings


def as_int(value: Any) -> int:
    return int(float(value))


def segment_settings(config: Mapping[str, Any]) -> SegmentSettings:
    """From the config values of a segments model (keys as in its yml config)."""
    return SegmentSettings(
        sweep=SweepSettings(
            k_min=as_int(config["k_min"]),
            k_max=as_int(config["k_max"]),
            fixed_k=as_int(config["fixed_k"]),
            seeds=as_int(config["seeds"]),
            seed=as_int(config["seed"]),
            sweep_users=as_int(config["sweep_users"]),
            silhouette_users=as_int(config["silhouette_users"]),
        ),
        pca_variance=float(config["pca_variance"]),
        pca_max_components=as_int(config["pca_max_components"]),
    )
