"""The reorder models inside a real `dbt build`: fixed schemas, metrics, baselines, oracle.

Uses the session warehouses of conftest (3,000 synthetic users; the 206-user real sample).
Exact figures belong in the README (from `make bench`), not here: these tests assert the
structure and the orderings that must hold on any reasonable run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

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
        "select (select count(distinct order_id) from ml.ml_reorder_predictions), "
        "(select count(*) from ml.ml_reorder_baskets)",
    )[0]
    assert orders == baskets > 0
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
