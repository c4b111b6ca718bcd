"""The contract of `features.feat_reorder_training` and how rows become model matrices.

Keys and label are fixed; every other column is a numeric feature, so a feature added to the
SQL mart reaches the model without a code change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

KEY_COLUMNS: tuple[str, ...] = ("user_id", "product_id", "order_id", "target_offset", "eval_set")
LABEL = "reordered_in_final"
NON_FEATURES = frozenset((*KEY_COLUMNS, LABEL))

# Rows per streamed batch: ~60 float32 features x 250k rows = 60 MB per batch.
BATCH_ROWS = 250_000

FeatureSource = duckdb.DuckDBPyRelation | pa.Table | pl.DataFrame


def feature_columns(columns: Iterable[str]) -> list[str]:
    """Every non-key, non-label column, in table order (the order the model was trained on)."""
    return [name for name in columns if name not in NON_FEATURES]


def source_columns(source: FeatureSource) -> list[str]:
    """Column names of a relation or frame."""
    return list(source.columns) if not isinstance(source, pa.Table) else source.column_names


def iter_batches(
    source: FeatureSource,
    where: str | None = None,
    columns: list[str] | None = None,
    batch_rows: int = BATCH_ROWS,
    order_by: str | None = None,
) -> Iterator[pl.DataFrame]:
    """Stream a feature source as polars frames of at most `batch_rows` rows.

    A DuckDB relation (what `dbt.ref` gives in dbt-duckdb) is filtered by `where` inside DuckDB
    and streamed, so the full table (tens of GB as float64 at scale 1) is never materialised.
    In-memory frames are filtered with the same SQL through DuckDB for identical semantics.
    `order_by` fixes the row order; without it the order is whatever DuckDB's parallel scan
    yields (the profile sets preserve_insertion_order = false).
    """
    if not isinstance(source, duckdb.DuckDBPyRelation):
        table = source if isinstance(source, pa.Table) else source.to_arrow()
        connection = duckdb.connect()
        connection.register("source_frame", table)
        source = connection.table("source_frame")
    relation = source.filter(where) if where else source
    if columns is not None:
        relation = relation.project(", ".join(f'"{name}"' for name in columns))
    if order_by:
        relation = relation.order(order_by)
    reader = relation.fetch_arrow_reader(batch_rows)
    for batch in reader:
        if batch.num_rows:
            yield pl.from_arrow(pa.Table.from_batches([batch]))  # type: ignore[misc]


def to_matrix(frame: pl.DataFrame, features: list[str]) -> np.ndarray:
    """float32 row-major matrix of the features; nulls become NaN (LightGBM's missing value)."""
    return (
        frame.select(pl.col(features).cast(pl.Float32))
        .to_numpy(order="c")
        .astype(np.float32, copy=False)
    )
