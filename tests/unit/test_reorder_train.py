"""Training, scoring, storage and the CLIs' pure parts on a small hand-made feature frame."""

from __future__ import annotations

import itertools
import json

import numpy as np
import polars as pl
import pytest

from ml.reorder import pipeline
from ml.reorder.frame import (
    feature_columns,
    iter_batches,
    iter_user_ordered_batches,
    to_matrix,
    user_ranges,
)
from ml.reorder.store import load_model
from ml.reorder.submission import submission_frame
from ml.reorder.train import train_reorder_model
from ml.report import metrics_table


def feature_frame(users: int = 600, candidates: int = 12, seed: int = 0) -> pl.DataFrame:
    """A feature table with the contract of feat_reorder_training and a learnable label.

    The label is drawn with probability sigmoid(6 * up_rate - 3.5), so a model that learns
    up_rate ranks well; u_noise carries no signal.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(1, users + 1):
        final = "test" if user % 5 == 0 else "train"
        for offset, eval_set in ((0, final), (1, "prior")):
            order_id = user * 10 + offset
            for product in range(candidates):
                rate = rng.random()
                p = 1 / (1 + np.exp(-(6 * rate - 3.5)))
                label = None if eval_set == "test" else int(rng.random() < p)
                rows.append(
                    (user, 100 + product, order_id, offset, eval_set, label, rate, rng.random())
                )
    return pl.DataFrame(
        rows,
        schema={
            "user_id": pl.Int32,
            "product_id": pl.Int32,
            "order_id": pl.Int32,
            "target_offset": pl.Int32,
            "eval_set": pl.Utf8,
            "reordered_in_final": pl.Int32,
            "up_rate": pl.Float64,
            "u_noise": pl.Float64,
        },
        orient="row",
    )


SMALL_PARAMS = {"num_leaves": 7, "min_data_in_leaf": 20, "num_threads": 1, "log_every": 0}


def test_feature_columns_and_matrix() -> None:
    frame = feature_frame(users=3)
    assert feature_columns(frame.columns) == ["up_rate", "u_noise"]
    with_null = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("u_noise"))
    matrix = to_matrix(with_null, ["up_rate", "u_noise"])
    assert matrix.dtype == np.float32 and matrix.flags.c_contiguous
    assert np.isnan(matrix[:, 1]).all()
    batches = list(iter_batches(frame, "target_offset = 0", batch_rows=10))
    assert sum(b.height for b in batches) == frame.filter(pl.col("target_offset") == 0).height
    assert max(b.height for b in batches) <= 10


def test_user_ordered_batches_equal_one_global_sort() -> None:
    frame = feature_frame(users=50).sample(fraction=1.0, shuffle=True, seed=1)
    where = "reordered_in_final is not null"
    ranges = user_ranges(frame, where, rows_per_range=100)
    # contiguous, non-overlapping, covering every matching user
    assert len(ranges) > 5
    assert all(high + 1 == low for (_, high), (low, _) in itertools.pairwise(ranges))
    labelled = frame.filter(pl.col("reordered_in_final").is_not_null())
    assert ranges[0][0] == labelled["user_id"].min()
    assert ranges[-1][1] == labelled["user_id"].max()
    ordered = pl.concat(
        list(iter_user_ordered_batches(frame, where, "target_offset, product_id", 100))
    )
    expected = labelled.sort("user_id", "target_offset", "product_id")
    assert ordered.equals(expected)
    assert user_ranges(frame, "user_id < 0", 100) == []


def test_training_learns_and_never_sees_validation_users() -> None:
    frame = feature_frame()
    trained = train_reorder_model(frame, SMALL_PARAMS, validation_fraction=0.2, split_seed=1)
    counts = trained.counts
    train_users = frame.filter(pl.col("eval_set") == "train")["user_id"].n_unique()
    assert abs(counts["validation_users"] - 0.2 * train_users) < 0.08 * train_users
    # training rows: offset 0 of non-validation train users + offset 1 of all non-validation users
    offset0 = 12 * (train_users - counts["validation_users"])
    offset1 = 12 * (600 - counts["validation_users"])
    assert counts["train_rows"] == offset0 + offset1
    no_augment = train_reorder_model(frame, SMALL_PARAMS, 0.2, 1, augment=False)
    assert no_augment.counts["train_rows"] == offset0
    assert no_augment.fingerprint != trained.fingerprint
    # a user-hash share of the augmentation users: about half of the offset-1 rows, always the
    # same users, never validation users
    half = train_reorder_model(frame, {**SMALL_PARAMS, "augment_user_fraction": 0.5}, 0.2, 1)
    augment_rows = half.counts["train_rows"] - offset0
    assert abs(augment_rows - offset1 / 2) < 0.1 * offset1
    assert augment_rows % 12 == 0
    assert half.counts["validation_users"] == counts["validation_users"]

    # store -> load round trip, then score validation + test rows
    record = pipeline.model_table(frame, {**SMALL_PARAMS}, 0.2, 1, "true")
    stored = load_model(record)
    assert json.loads(record["features"][0].as_py()) == ["up_rate", "u_noise"]
    predictions = pl.from_arrow(pipeline.predictions_table(record, frame))
    assert set(predictions["split"]) == {"train", "validation", "test"}
    # every user's final-order candidates are scored (train users in-sample)
    assert predictions.height == frame.filter(pl.col("target_offset") == 0).height
    assert predictions.filter(pl.col("split") == "train")["user_id"].n_unique() == (
        train_users - counts["validation_users"]
    )
    assert predictions.filter(pl.col("split") == "test")["label"].null_count() == len(
        predictions.filter(pl.col("split") == "test")
    )
    validation = predictions.filter(pl.col("split") == "validation")
    assert validation["user_id"].n_unique() == counts["validation_users"]
    assert (validation["run_id"] == stored.run_id).all()
    # the signal is learnt: AUC well above chance
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(validation["label"], validation["probability"]) > 0.8

    baskets = pl.from_arrow(pipeline.baskets_table(predictions))
    assert baskets.columns == ["order_id", "user_id", "split", "products"]
    # baskets only for validation and test orders
    assert set(baskets["split"]) == {"validation", "test"}
    assert baskets["order_id"].n_unique() == (
        predictions.filter(pl.col("split") != "train")["order_id"].n_unique()
    )


def test_same_data_same_model() -> None:
    frame = feature_frame(users=200)
    first = train_reorder_model(frame, SMALL_PARAMS, 0.2, 3)
    second = train_reorder_model(
        frame.sample(fraction=1.0, shuffle=True, seed=9), SMALL_PARAMS, 0.2, 3
    )
    assert first.fingerprint == second.fingerprint
    assert first.best_iteration == second.best_iteration


def test_config_coercion() -> None:
    assert pipeline.as_mapping("{'learning_rate': 0.05}") == {"learning_rate": 0.05}
    assert pipeline.as_mapping('{"num_leaves": 31}') == {"num_leaves": 31}
    assert pipeline.as_mapping("") == {}
    assert pipeline.as_bool("True") and not pipeline.as_bool("false")
    with pytest.raises(ValueError):
        pipeline.as_mapping("[1, 2]")


def test_submission_format() -> None:
    baskets = pl.DataFrame(
        {"order_id": [1, 2], "products": [[5, 7], []]},
        schema={"order_id": pl.Int32, "products": pl.List(pl.Int32)},
    )
    assert submission_frame(baskets).rows() == [(1, "5 7"), (2, "None")]


def test_report_table_pivots_and_ratios() -> None:
    long = pl.DataFrame(
        {
            "model": ["reorder_lgbm", "reorder_lgbm", "oracle", "baseline_last_basket"],
            "metric": ["mean_f1", "roc_auc", "mean_f1", "mean_f1"],
            "value": [0.4, 0.85, 0.5, 0.3],
        }
    )
    table = metrics_table(long)
    assert table["model"].to_list() == ["reorder_lgbm", "baseline_last_basket", "oracle"]
    assert table["f1_to_oracle"].to_list() == pytest.approx([0.8, 0.6, 1.0])
