"""The reorder models inside a real `dbt build`: fixed schemas, metrics, baselines, oracle.

Uses the session warehouses of conftest (3,000 synthetic users; the 206-user real sample).
Exact figures belong in the README (from `make bench`), not here: these tests assert the
structure and the orderings that must hold on any reasonable run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from ml.warehouse import dbt_executable

from conftest import PROJECT_ROOT, query

pytestmark = pytest.mark.slow

FIXED_SCHEMAS = {
    "ml_model_metrics": ["run_id", "model", "split", "metric", "value"],
    "ml_reorder_baskets": ["order_id", "user_id", "split", "products"],
    "ml_reorder_predictions": [
        "run_id",
        "user_id",
        "order_id",
        "product_id",
        "split",
        "probability",
        "label",
    ],
}


def columns(warehouse: Path, table: str) -> list[tuple[str, str]]:
    return [
        (name, dtype)
        for name, dtype in query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'ml' and table_name = ? order by ordinal_position",
            [table],
        )
    ]


def validation_metrics(warehouse: Path) -> dict[tuple[str, str], float]:
    rows = query(
        warehouse,
        "select model, metric, value from ml.ml_model_metrics where split = 'validation'",
    )
    return {(model, metric): value for model, metric, value in rows}


def assert_common(warehouse: Path) -> dict[tuple[str, str], float]:
    for table, expected in FIXED_SCHEMAS.items():
        assert [name for name, _ in columns(warehouse, table)] == expected
    assert dict(columns(warehouse, "ml_reorder_baskets"))["products"] == "INTEGER[]"
    (models,) = query(warehouse, "select count(*) from ml.ml_reorder_model")[0]
    assert models == 1
    # one basket per final order of validation and test users, each product a candidate
    (orders, baskets) = query(
        warehouse,
        "select (select count(distinct order_id) from ml.ml_reorder_predictions "
        "where split <> 'train'), (select count(*) from ml.ml_reorder_baskets)",
    )[0]
    assert orders == baskets > 0
    # predictions cover every final-order candidate of every user (train split in-sample)
    (candidates, predicted, train_orders) = query(
        warehouse,
        "select (select count(*) from features.feat_reorder_training where target_offset = 0), "
        "(select count(*) from ml.ml_reorder_predictions), "
        "(select count(distinct order_id) from ml.ml_reorder_predictions where split = 'train')",
    )[0]
    assert candidates == predicted and train_orders > 0
    (strays,) = query(
        warehouse,
        "select count(*) from (select order_id, unnest(products) as product_id "
        "from ml.ml_reorder_baskets) b anti join ml.ml_reorder_predictions p "
        "using (order_id, product_id)",
    )[0]
    assert strays == 0
    (features,) = query(warehouse, "select count(*) from ml.ml_reorder_feature_importance")[0]
    (expected_features,) = query(warehouse, "select n_features from ml.ml_reorder_model")[0]
    assert features == expected_features
    metrics = validation_metrics(warehouse)
    for metric in ("roc_auc", "pr_auc", "log_loss", "pair_f1_best_threshold", "mean_f1"):
        assert ("reorder_lgbm", metric) in metrics
    for model in ("baseline_last_basket", "baseline_half_orders"):
        assert 0 <= metrics[(model, "mean_f1")] <= 1
    return metrics


def test_synthetic_run(synthetic_warehouse: Path, tmp_path: Path) -> None:
    metrics = assert_common(synthetic_warehouse)
    model_f1 = metrics[("reorder_lgbm", "mean_f1")]
    assert model_f1 > metrics[("baseline_last_basket", "mean_f1")]
    assert model_f1 > metrics[("baseline_half_orders", "mean_f1")]
    assert metrics[("reorder_lgbm", "roc_auc")] > 0.75
    # the oracle exists on synthetic data and is an upper reference for the model
    assert ("oracle", "mean_f1") in metrics
    assert metrics[("reorder_lgbm", "mean_f1_oracle")] == metrics[("oracle", "mean_f1")]
    assert model_f1 < metrics[("oracle", "mean_f1")]

    # the CLIs: report prints the table, submission covers every test order
    report = subprocess.run(
        [sys.executable, "-m", "ml.report", "--warehouse", str(synthetic_warehouse)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "reorder_lgbm" in report.stdout and "f1_to_oracle" in report.stdout
    out = tmp_path / "submission.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ml.reorder.submission",
            "--warehouse",
            str(synthetic_warehouse),
            "--out",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        check=True,
    )
    submission = pl.read_csv(out, schema_overrides={"products": pl.Utf8})
    (test_orders,) = query(
        synthetic_warehouse, "select count(*) from core.fct_orders where eval_set = 'test'"
    )[0]
    assert submission.columns == ["order_id", "products"]
    assert submission.height == test_orders
    assert submission["products"].str.contains(r"^(None|\d+( \d+)*)$").all()


def test_real_sample_run(sample_warehouse: Path) -> None:
    metrics = assert_common(sample_warehouse)
    assert not any(model == "oracle" for model, _ in metrics)
    assert ("reorder_lgbm", "mean_f1_oracle") not in metrics


def test_augmentation_var_off_drops_offset_1_rows(sample_warehouse: Path, tmp_path: Path) -> None:
    """dbt var reorder_augment_prior_target false: no offset-1 rows built or trained on.

    Re-runs only the feature marts and the model on a copy of the real-sample warehouse.
    """
    warehouse = tmp_path / "instacart.duckdb"
    shutil.copyfile(sample_warehouse, warehouse)
    env = {
        **os.environ,
        "INSTACART_WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    models = "feat_reorder_targets feat_user feat_product feat_user_product feat_reorder_training"
    subprocess.run(
        [
            str(dbt_executable()),
            "run",
            "--select",
            *models.split(),
            "ml_reorder_model",
            "--vars",
            json.dumps({"reorder_augment_prior_target": False}),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    (offsets,) = query(
        warehouse, "select list(distinct target_offset) from features.feat_reorder_training"
    )[0]
    assert offsets == [0]
    (augment, train_rows, validation_rows) = query(
        warehouse,
        "select augment_prior_target, train_rows, validation_rows from ml.ml_reorder_model",
    )[0]
    (labelled,) = query(
        warehouse,
        "select count(*) from features.feat_reorder_training where reordered_in_final is not null",
    )[0]
    assert augment is False
    assert train_rows + validation_rows == labelled
    # the default build (augmentation on) trained on more rows: the offset-1 rows
    (default_augment, default_train_rows) = query(
        sample_warehouse, "select augment_prior_target, train_rows from ml.ml_reorder_model"
    )[0]
    assert default_augment is True and default_train_rows > train_rows
