"""The reorder feature marts (models/marts/features) on real dbt builds, nothing mocked.

- Leakage: the warehouse is built twice on one copy of the real sample, the second time with
  the final (train) orders' lines shuffled among the final orders (kept valid: unique lines,
  add_to_cart_order 1..n, `reordered` recomputed from the user's prior purchases). Every
  feature of every row must be identical; only the offset-0 label may change.
- Contract: >= 50 numeric features with the agreed prefixes, keys and label typed as agreed.
- Candidates and labels: checked against independent polars computations on the CSVs.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ml.warehouse import build_warehouse

from conftest import query

pytestmark = pytest.mark.slow

TRAINING = "features.feat_reorder_training"
KEYS = ["user_id", "product_id", "order_id", "target_offset", "eval_set"]
LABEL = "reordered_in_final"
FEATURE_PREFIXES = ("u_", "p_", "up_", "ua_", "ud_", "o_")
NUMERIC_TYPES = {"INTEGER", "BIGINT", "DOUBLE", "BOOLEAN", "SMALLINT", "TINYINT", "HUGEINT"}
FEATURE_MARTS = {
    "features.feat_user": ["target_offset", "user_id"],
    "features.feat_product": ["target_offset", "product_id"],
    "features.feat_user_product": ["target_offset", "user_id", "product_id"],
    TRAINING: ["target_offset", "user_id", "product_id"],
}
# Offset-1 (augmentation) targets need this many orders before them (dbt var default).
MIN_HISTORY_ORDERS = 3
LINE_SCHEMA = {
    "order_id": pl.Int64,
    "product_id": pl.Int64,
    "add_to_cart_order": pl.Int64,
    "reordered": pl.Int64,
}
# cautious: skip tests of models outside the selection (e.g. relationships to stg_aisles)
FEATURE_SELECTION = ("--select", "+models/marts/features", "--indirect-selection", "cautious")


# ---------------------------------------------------------------- independent computations


def read_orders(data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(
        data_dir / "orders.csv",
        columns=["order_id", "user_id", "eval_set", "order_number"],
        schema_overrides={"order_id": pl.Int64, "user_id": pl.Int64, "order_number": pl.Int64},
    )


def read_lines(data_dir: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(data_dir / f"order_products__{name}.csv", schema_overrides=LINE_SCHEMA)


def expected_candidates(data_dir: Path) -> dict[tuple[int, int], int]:
    """(target_offset, user_id) -> distinct products bought before the target order."""
    orders = read_orders(data_dir)
    last = orders.group_by("user_id").agg(pl.col("order_number").max().alias("final_number"))
    prior = read_lines(data_dir, "prior").join(orders, on="order_id").join(last, on="user_id")
    offset_0 = prior.group_by("user_id").agg(pl.col("product_id").n_unique().alias("n"))
    # offset 1: target = last prior order (final_number - 1); history = orders before it
    offset_1 = (
        prior.filter(
            (pl.col("order_number") < pl.col("final_number") - 1)
            & (pl.col("final_number") - 2 >= MIN_HISTORY_ORDERS)
        )
        .group_by("user_id")
        .agg(pl.col("product_id").n_unique().alias("n"))
    )
    expected = {(0, row["user_id"]): row["n"] for row in offset_0.iter_rows(named=True)}
    expected |= {(1, row["user_id"]): row["n"] for row in offset_1.iter_rows(named=True)}
    return expected


def shuffle_final_order_lines(data_dir: Path, seed: int = 11) -> None:
    """Rewrite order_products__train.csv with products shuffled among the final orders.

    Each order keeps its size up to duplicates (a product drawn twice into one order is kept
    once); add_to_cart_order is renumbered 1..n and `reordered` recomputed from the user's
    prior purchases, so the files stay valid for the raw checks and the dbt tests.
    """
    orders = read_orders(data_dir).select("order_id", "user_id")
    train = read_lines(data_dir, "train")
    shuffled = train.with_columns(
        pl.col("product_id").shuffle(seed=seed),
        pl.int_range(pl.len()).alias("line"),
    ).unique(subset=["order_id", "product_id"], keep="first")
    prior_pairs = (
        read_lines(data_dir, "prior")
        .join(orders, on="order_id")
        .select("user_id", "product_id")
        .unique()
        .with_columns(pl.lit(1, dtype=pl.Int64).alias("reordered"))
    )
    rewritten = (
        shuffled.drop("reordered")
        .join(orders, on="order_id")
        .join(prior_pairs, on=["user_id", "product_id"], how="left")
        .sort("order_id", "line")
        .with_columns(
            pl.col("line")
            .rank("ordinal")
            .over("order_id")
            .cast(pl.Int64)
            .alias("add_to_cart_order"),
            pl.col("reordered").fill_null(0),
        )
        .select("order_id", "product_id", "add_to_cart_order", "reordered")
    )
    target = data_dir / "order_products__train.csv"
    target.unlink()  # the copy may have kept the read-only mode of the original
    rewritten.write_csv(target)


# ---------------------------------------------------------------- helpers


def table(warehouse: Path, name: str, order_by: list[str]) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select * from {name} order by {', '.join(order_by)}").pl()


def column_types(warehouse: Path, schema: str, name: str) -> dict[str, str]:
    rows = query(
        warehouse,
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    )
    return dict(rows)


def assert_frames_equal(before: pl.DataFrame, after: pl.DataFrame, name: str) -> None:
    """Same rows and columns; integers exactly equal, doubles equal up to summation order."""
    assert before.columns == after.columns, name
    assert before.height == after.height, f"{name}: {before.height} vs {after.height} rows"
    for column in before.columns:
        left, right = before[column], after[column]
        assert left.null_count() == right.null_count(), f"{name}.{column}: nulls differ"
        if left.dtype.is_float():
            pairs = zip(left.to_list(), right.to_list(), strict=True)
            differing = [
                (a, b)
                for a, b in pairs
                if not (a is None and b is None)
                and not (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
            ]
            assert not differing, f"{name}.{column} changed, e.g. {differing[:3]}"
        else:
            assert left.equals(right), f"{name}.{column} changed"


# ---------------------------------------------------------------- tests


def test_features_do_not_change_when_final_order_lines_are_shuffled(
    sample_data_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(sample_data_dir, data_dir)
    for path in data_dir.iterdir():
        path.chmod(0o644)
    cache = tmp_path / "validated"

    before_warehouse = tmp_path / "before.duckdb"
    build_warehouse(data_dir, before_warehouse, FEATURE_SELECTION, validation_cache=cache)
    shuffle_final_order_lines(data_dir)
    after_warehouse = tmp_path / "after.duckdb"
    build_warehouse(data_dir, after_warehouse, FEATURE_SELECTION, validation_cache=cache)

    # the change is real: the final orders' lines, hence the offset-0 labels, differ
    before = table(before_warehouse, TRAINING, FEATURE_MARTS[TRAINING])
    after = table(after_warehouse, TRAINING, FEATURE_MARTS[TRAINING])
    labels_before = before.filter(pl.col("target_offset") == 0)[LABEL]
    labels_after = after.filter(pl.col("target_offset") == 0)[LABEL]
    assert not labels_before.equals(labels_after), "shuffle did not change any label"

    # every feature (and key) of every row is unchanged, offset 0 and offset 1
    assert_frames_equal(before.drop(LABEL), after.drop(LABEL), TRAINING)
    # offset-1 labels come from prior orders, which did not change either
    assert_frames_equal(
        before.filter(pl.col("target_offset") == 1).select(LABEL),
        after.filter(pl.col("target_offset") == 1).select(LABEL),
        f"{TRAINING} offset-1 label",
    )
    for name, keys in FEATURE_MARTS.items():
        if name != TRAINING:
            assert_frames_equal(
                table(before_warehouse, name, keys), table(after_warehouse, name, keys), name
            )


def test_training_table_honours_the_contract(sample_warehouse: Path) -> None:
    types = column_types(sample_warehouse, "features", "feat_reorder_training")
    assert {column: types[column] for column in [*KEYS, LABEL]} == {
        "user_id": "INTEGER",
        "product_id": "INTEGER",
        "order_id": "INTEGER",
        "target_offset": "INTEGER",
        "eval_set": "VARCHAR",
        LABEL: "INTEGER",
    }
    features = {c: t for c, t in types.items() if c not in {*KEYS, LABEL}}
    assert len(features) >= 50
    assert all(column.startswith(FEATURE_PREFIXES) for column in features), features
    assert set(features.values()) <= NUMERIC_TYPES, features
    counts = query(
        sample_warehouse,
        f"select target_offset, eval_set, count(*) from {TRAINING} group by 1, 2 order by 1, 2",
    )
    assert [(offset, eval_set) for offset, eval_set, _ in counts] == [
        (0, "test"),
        (0, "train"),
        (1, "prior"),
    ]


@pytest.mark.parametrize("data_set", ["sample", "synthetic"])
def test_candidates_are_exactly_the_products_bought_before_the_target(
    data_set: str,
    request: pytest.FixtureRequest,
    build_warehouse_for: Callable[[Path], Path],
) -> None:
    data_dir = request.getfixturevalue(f"{data_set}_data_dir")
    warehouse = build_warehouse_for(data_dir)
    actual = {
        (offset, user): n
        for offset, user, n in query(
            warehouse, f"select target_offset, user_id, count(*) from {TRAINING} group by 1, 2"
        )
    }
    assert actual == expected_candidates(data_dir)


@pytest.mark.parametrize("data_set", ["sample", "synthetic"])
def test_labels_match_the_final_orders_lines(
    data_set: str,
    request: pytest.FixtureRequest,
    build_warehouse_for: Callable[[Path], Path],
) -> None:
    data_dir = request.getfixturevalue(f"{data_set}_data_dir")
    warehouse = build_warehouse_for(data_dir)
    # every reordered train line is a positive candidate, and nothing else is
    train = read_lines(data_dir, "train")
    (positives, labelled, mismatches) = query(
        warehouse,
        f"""
        select
            sum(training.{LABEL}),
            count(training.{LABEL}),
            sum(case when (lines.order_id is not null) != (training.{LABEL} = 1) then 1 else 0 end)
        from {TRAINING} as training
        left join core.fct_order_lines as lines
            on training.order_id = lines.order_id and training.product_id = lines.product_id
        where training.target_offset = 0 and training.eval_set = 'train'
        """,
    )[0]
    assert positives == train.filter(pl.col("reordered") == 1).height
    assert mismatches == 0
    orders = read_orders(data_dir)
    train_candidates = query(
        warehouse,
        f"select count(*) from {TRAINING} where target_offset = 0 and eval_set = 'train'",
    )[0][0]
    assert labelled == train_candidates
    test_users = orders.filter(pl.col("eval_set") == "test")["user_id"].to_list()
    (test_labels,) = query(
        warehouse,
        f"select count({LABEL}) from {TRAINING} where target_offset = 0 and eval_set = 'test'",
    )[0]
    assert test_labels == 0 and len(test_users) > 0
