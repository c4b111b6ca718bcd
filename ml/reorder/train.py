"""LightGBM training of the reorder model with early stopping on held-out users.

Training rows: offset-0 rows (target = final order) of train users outside the validation
split, plus - when `augment` - offset-1 rows (target = last prior order, features from the
orders before it) of every user except the validation users (or of a deterministic user-hash
subset of them, control `augment_user_fraction`). Early stopping watches the
validation users' offset-0 rows only, so the stopping point and every validation metric come
from users the model never saw in any form.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from ml.reorder.frame import (
    KEY_COLUMNS,
    LABEL,
    FeatureSource,
    feature_columns,
    iter_batches,
    iter_user_ordered_batches,
    source_columns,
    to_matrix,
)
from ml.reorder.split import (
    DEFAULT_FRACTION,
    DEFAULT_SEED,
    row_split,
    user_unit_hash,
    validation_users,
)

# LightGBM parameters; any key can be overridden by the dbt var `reorder_params`.
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "metric": "binary_logloss",
    # 0.2 rather than 0.1: half the rounds (scale-1 training time is the ML budget's largest
    # item, and scoring every user's candidates costs extra) for a small loss in log loss.
    "learning_rate": 0.2,
    "num_leaves": 96,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "max_bin": 255,
    "num_threads": 2,
    "seed": 42,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}
# Loop control (not LightGBM parameters), overridable through the same var.
DEFAULT_CONTROL: dict[str, float] = {
    "num_boost_round": 2000,
    # 10 at learning rate 0.2: at scale 1 the best round (74-90) is followed by rounds that
    # move the log loss by < 1e-5; 30 spent ~55 s more for the same validation F1 (make bench).
    "early_stopping_rounds": 10,
    # Improvements of the validation log loss below this no longer count: at scale 1 the loss
    # creeps down by ~1e-6 per round for hundreds of rounds that change no basket.
    "early_stopping_min_delta_ppm": 20,
    "log_every": 25,
    # Share of users (by a seeded hash of user_id) whose offset-1 rows are trained on: the
    # augmentation rows are the bulk of the training set, and a deterministic subset keeps
    # most of their gain at a fraction of the training time and memory at scale 1.
    "augment_user_fraction": 1.0,
}
# Seed of the hash that picks the augmentation users (independent of the validation split).
AUGMENT_SAMPLE_SEED = 5

Logger = Callable[[str], None]


def stderr_log(message: str) -> None:
    """Progress lines on stderr (dbt shows them live; they do not mix with returned data)."""
    print(f"[ml.reorder] {message}", file=sys.stderr, flush=True)


def resolve_params(overrides: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """(LightGBM params, loop control) = defaults updated by `overrides`."""
    params = dict(DEFAULT_PARAMS)
    control = dict(DEFAULT_CONTROL)
    for key, value in (overrides or {}).items():
        (control if key in DEFAULT_CONTROL else params)[key] = value
    return params, control


@dataclass
class Rows:
    """Model-ready rows accumulated batch by batch (lists avoid one big concatenation copy)."""

    matrices: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    users: set[int] = field(default_factory=set)

    def add(self, frame: pl.DataFrame, features: list[str]) -> None:
        if frame.height:
            self.matrices.append(to_matrix(frame, features))
            self.labels.append(frame[LABEL].cast(pl.Float32).to_numpy())
            self.users.update(frame["user_id"].unique().to_list())

    @property
    def n_rows(self) -> int:
        return sum(len(label) for label in self.labels)

    def label(self) -> np.ndarray:
        return np.concatenate(self.labels) if self.labels else np.zeros(0, np.float32)


@dataclass(frozen=True)
class TrainedModel:
    booster: lgb.Booster
    features: list[str]
    params: dict[str, Any]
    control: dict[str, float]
    best_iteration: int
    validation_fraction: float
    split_seed: int
    augment: bool
    counts: dict[str, int]
    fingerprint: str
    seconds: float


def train_user_ids(source: FeatureSource) -> np.ndarray:
    """Users whose final order is 'train' (the population the validation split is drawn from)."""
    ids = [
        batch["user_id"].unique()
        for batch in iter_batches(
            source, "target_offset = 0 and eval_set = 'train'", columns=["user_id"]
        )
    ]
    return np.unique(pl.concat(ids).to_numpy()) if ids else np.zeros(0, np.int64)


def _progress_callback(log: Logger, every: int, started: float) -> Callable:
    def callback(env: lgb.callback.CallbackEnv) -> None:
        if every and (env.iteration + 1) % every == 0 and env.evaluation_result_list:
            _, metric, value, _ = env.evaluation_result_list[0]
            log(
                f"iteration {env.iteration + 1}: validation {metric} {value:.5f} "
                f"({time.monotonic() - started:.0f} s)"
            )

    return callback


def train_reorder_model(
    source: FeatureSource,
    overrides: Mapping[str, Any] | None = None,
    validation_fraction: float = DEFAULT_FRACTION,
    split_seed: int = DEFAULT_SEED,
    augment: bool = True,
    log: Logger = stderr_log,
) -> TrainedModel:
    """Train on `source` (the feature table) and return the booster with its provenance."""
    started = time.monotonic()
    params, control = resolve_params(overrides)
    features = feature_columns(source_columns(source))
    validation_ids = validation_users(train_user_ids(source), validation_fraction, split_seed)
    augment_fraction = float(control["augment_user_fraction"]) if augment else 0.0

    train_rows, valid_rows = Rows(), Rows()
    digest = np.uint64(0)
    where = f"{LABEL} is not null" + ("" if augment else " and target_offset = 0")
    # LightGBM's bin boundaries and bagging depend on row order, so rows are read in key order:
    # the same data then gives the same model however DuckDB happens to scan the table.
    for batch in iter_user_ordered_batches(source, where, then_by="target_offset, product_id"):
        split = row_split(batch, validation_ids)
        augment_kept = user_unit_hash(batch["user_id"].to_numpy(), AUGMENT_SAMPLE_SEED)
        in_training = (split == "train") | (
            (split == "augment") & pl.Series(augment_kept < augment_fraction)
        )
        used = (split == "validation") | in_training
        batch, split = batch.filter(used), split.filter(used)
        train_rows.add(batch.filter(split != "validation"), features)
        valid_rows.add(batch.filter(split == "validation"), features)
        # Order-independent content hash: wrapping sum of per-row hashes.
        with np.errstate(over="ignore"):
            digest += batch.select(*KEY_COLUMNS, LABEL, *features).hash_rows(seed=0).sum()
    if not train_rows.n_rows or not valid_rows.n_rows:
        raise ValueError(
            f"need training and validation rows, got {train_rows.n_rows} and "
            f"{valid_rows.n_rows} (too few users with a 'train' final order?)"
        )
    counts = {
        "train_rows": train_rows.n_rows,
        "train_users": len(train_rows.users),
        "validation_rows": valid_rows.n_rows,
        "validation_users": len(valid_rows.users),
    }
    log(f"loaded {counts} with {len(features)} features in {time.monotonic() - started:.0f} s")

    dataset_params = {"max_bin": params["max_bin"], "verbosity": -1}
    train_set = lgb.Dataset(
        train_rows.matrices,
        label=train_rows.label(),
        feature_name=features,
        params=dataset_params,
        free_raw_data=True,
    )
    valid_set = lgb.Dataset(
        valid_rows.matrices,
        label=valid_rows.label(),
        reference=train_set,
        params=dataset_params,
        free_raw_data=True,
    )
    # Bin both sets now and drop the float matrices (5 GB at scale 1) before boosting starts.
    train_set.construct()
    valid_set.construct()
    train_rows.matrices.clear()
    valid_rows.matrices.clear()
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=int(control["num_boost_round"]),
        valid_sets=[valid_set],
        valid_names=["validation"],
        callbacks=[
            lgb.early_stopping(
                int(control["early_stopping_rounds"]),
                verbose=False,
                min_delta=control["early_stopping_min_delta_ppm"] / 1e6,
            ),
            _progress_callback(log, int(control["log_every"]), started),
        ],
    )
    best = int(booster.best_iteration or booster.current_iteration())
    log(f"best iteration {best}, total {time.monotonic() - started:.0f} s")
    fingerprint = hashlib.sha256(
        json.dumps(
            {
                "rows": counts,
                "content": int(digest),
                "features": features,
                "augment": augment_fraction,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    return TrainedModel(
        booster=booster,
        features=features,
        params=params,
        control=control,
        best_iteration=best,
        validation_fraction=validation_fraction,
        split_seed=split_seed,
        augment=augment,
        counts=counts,
        fingerprint=fingerprint,
        seconds=time.monotonic() - started,
    )
