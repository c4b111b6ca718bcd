"""A full `dbt build` on real and synthetic data; every core table's row count is checked
against counts computed independently from the raw CSVs (polars, not the warehouse)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from conftest import query

pytestmark = pytest.mark.slow

LINE_SCHEMA = {"order_id": pl.Int64, "product_id": pl.Int64}


def independent_counts(data_dir: Path) -> dict[str, int]:
    """Row counts each core table must have, computed straight from the files."""
    orders = pl.read_csv(data_dir / "orders.csv", schema_overrides={"eval_set": pl.Utf8})
    prior = pl.read_csv(data_dir / "order_products__prior.csv", schema_overrides=LINE_SCHEMA)
    train = pl.read_csv(data_dir / "order_products__train.csv", schema_overrides=LINE_SCHEMA)
    products = pl.read_csv(data_dir / "products.csv", columns=["product_id"])
    aisles = pl.read_csv(data_dir / "aisles.csv")
    departments = pl.read_csv(data_dir / "departments.csv")
    return {
        "staging.stg_orders": orders.height,
        "staging.stg_order_products": prior.height + train.height,
        "staging.stg_products": products.height,
        "staging.stg_aisles": aisles.height,
        "staging.stg_departments": departments.height,
        "intermediate.int_user_order_timeline": orders.height,
        "core.fct_orders": orders.height,
        "core.fct_order_lines": prior.height + train.height,
        "core.dim_users": orders["user_id"].n_unique(),
        "core.dim_products": products.height,
    }


def assert_core_counts(warehouse: Path, data_dir: Path) -> None:
    expected = independent_counts(data_dir)
    actual = {table: query(warehouse, f"select count(*) from {table}")[0][0] for table in expected}
    assert actual == expected


def assert_final_orders_consistent(warehouse: Path, data_dir: Path) -> None:
    orders = pl.read_csv(data_dir / "orders.csv")
    train_users = orders.filter(pl.col("eval_set") == "train").height
    test_users = orders.filter(pl.col("eval_set") == "test").height
    rows = query(
        warehouse,
        "select final_eval_set, count(*) from core.dim_users group by 1 order by 1",
    )
    assert rows == [("test", test_users), ("train", train_users)]
    # test orders publish no lines: unknown basket, not an empty one
    (missing,) = query(
        warehouse,
        "select count(*) from core.fct_orders where eval_set = 'test' and basket_size is not null",
    )[0]
    assert missing == 0


def test_build_on_real_sample(sample_warehouse: Path, sample_data_dir: Path) -> None:
    assert_core_counts(sample_warehouse, sample_data_dir)
    assert_final_orders_consistent(sample_warehouse, sample_data_dir)
    # README of the sample: 9 of the 133 train orders contain no reordered product
    (none_orders,) = query(
        sample_warehouse,
        "select count(*) from core.fct_orders where eval_set = 'train' and reordered_lines = 0",
    )[0]
    assert none_orders == 9


def test_build_on_synthetic(synthetic_warehouse: Path, synthetic_data_dir: Path) -> None:
    assert_core_counts(synthetic_warehouse, synthetic_data_dir)
    assert_final_orders_consistent(synthetic_warehouse, synthetic_data_dir)


def test_timeline_offsets_match_running_gap_sums(
    sample_warehouse: Path, sample_data_dir: Path
) -> None:
    """days_since_first_order recomputed in polars equals the warehouse's, order by order."""
    orders = pl.read_csv(sample_data_dir / "orders.csv").sort(["user_id", "order_number"])
    expected = orders.with_columns(
        pl.col("days_since_prior_order").fill_null(0).cum_sum().over("user_id").cast(pl.Int64)
    ).select("order_id", "days_since_prior_order")
    actual = dict(
        query(sample_warehouse, "select order_id, days_since_first_order from core.fct_orders")
    )
    mismatches = [
        (order_id, offset, actual[order_id])
        for order_id, offset in expected.iter_rows()
        if actual[order_id] != offset
    ]
    assert mismatches == []
