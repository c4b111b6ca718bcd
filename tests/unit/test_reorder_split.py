"""Validation split by user: deterministic, disjoint, the requested fraction."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ml.reorder.split import is_validation_user, row_split, user_unit_hash, validation_users


def test_split_is_deterministic_and_order_independent() -> None:
    ids = np.arange(1, 50_001)
    first = validation_users(ids, 0.2, seed=42)
    shuffled = np.random.default_rng(0).permutation(ids)
    assert np.array_equal(first, validation_users(shuffled, 0.2, seed=42))
    # a user's membership does not depend on which other users are present
    subset = ids[::7]
    assert np.array_equal(validation_users(subset, 0.2, 42), np.intersect1d(first, subset))
    # another seed gives another split
    assert not np.array_equal(first, validation_users(ids, 0.2, seed=43))


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.5])
def test_fraction(fraction: float) -> None:
    ids = np.arange(1, 100_001)
    share = is_validation_user(ids, fraction, seed=42).mean()
    assert abs(share - fraction) < 0.01
    hashes = user_unit_hash(ids, 42)
    assert hashes.min() >= 0.0 and hashes.max() < 1.0


def test_invalid_fraction() -> None:
    with pytest.raises(ValueError):
        is_validation_user(np.arange(3), 1.0)


def test_row_roles_keep_validation_users_out_of_training() -> None:
    frame = pl.DataFrame(
        {
            "user_id": [1, 1, 2, 2, 3, 3],
            "target_offset": [0, 1, 0, 1, 0, 1],
            "eval_set": ["train", "prior", "train", "prior", "test", "prior"],
        }
    )
    roles = row_split(frame, np.array([2]))
    assert roles.to_list() == ["train", "augment", "validation", "excluded", "test", "augment"]
