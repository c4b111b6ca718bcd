"""Deterministic validation split by user.

A user is a validation user when the final order is 'train' (so it has labels) and a seeded
hash of the user id falls below `fraction`. Hashing (rather than sampling) makes the split
independent of row order, of which other users are present and of the engine, so the same
user stays in the same split across runs, data refreshes and scales.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ml.reorder.frame import LABEL

DEFAULT_FRACTION = 0.2
DEFAULT_SEED = 42

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a well-mixed, platform-independent 64-bit hash."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & _MASK64


def user_unit_hash(user_ids: np.ndarray, seed: int = DEFAULT_SEED) -> np.ndarray:
    """A uniform number in [0, 1) per user id, fixed by (user_id, seed)."""
    ids = np.asarray(user_ids).astype(np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        keyed = ids ^ _splitmix64(np.array([seed], dtype=np.int64))[0]
    return (_splitmix64(keyed) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def is_validation_user(
    user_ids: np.ndarray, fraction: float = DEFAULT_FRACTION, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Boolean mask: would this user be held out (given that the final order is 'train')?"""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"validation fraction must be in [0, 1), got {fraction}")
    return user_unit_hash(user_ids, seed) < fraction


def validation_users(
    train_user_ids: np.ndarray, fraction: float = DEFAULT_FRACTION, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Sorted ids of the validation users among users whose final order is 'train'."""
    ids = np.unique(np.asarray(train_user_ids))
    return ids[is_validation_user(ids, fraction, seed)]


def row_split(frame: pl.DataFrame, validation_ids: np.ndarray) -> pl.Series:
    """Role of each feature row: 'train', 'validation', 'test', 'augment' or 'excluded'.

    offset 0: 'test' for test targets, 'validation' for validation users, else 'train'.
    offset 1 (augmentation, target = last prior order): 'augment', except validation users'
    rows, which are 'excluded' so nothing about validation users reaches training.
    """
    in_validation = pl.col("user_id").is_in(pl.Series(validation_ids, dtype=pl.Int64).implode())
    return frame.select(
        pl.when(pl.col("target_offset") != 0)
        .then(pl.when(in_validation).then(pl.lit("excluded")).otherwise(pl.lit("augment")))
        .when(pl.col("eval_set") == "test")
        .then(pl.lit("test"))
        .when(in_validation)
        .then(pl.lit("validation"))
        .otherwise(pl.lit("train"))
        .alias("split")
    ).to_series()


def has_label(frame: pl.DataFrame) -> pl.Series:
    """Rows with a known label (everything but test targets)."""
    return frame[LABEL].is_not_null()
