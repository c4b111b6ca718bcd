"""The contract of `features.feat_reorder_training` and how rows become model matrices.

Keys and label are fixed; every other column is a numeric feature, so a feature added to the
SQL mart reaches the model without a code change here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import polars as pl
import pyarrow as pa

from ml.relations import Source, as_relation

KEY_COLUMNS: tuple[str, ...] = ("user_id", "product_id", "order_id", "target_offset", "eval_set")
LABEL = "reordered_in_final"
NON_FEATURES = frozenset((*KEY_COLUMNS, LABEL))

# Rows per streamed batch: ~60 float32 features x 250k rows = 60 MB per batch.
BATCH_ROWS = 250_000

# Rows per sorted range when rows must be read in key order (see iter_user_ordered_batches).
ROWS_PER_SORT = 2_000_000

FeatureSource = Source


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
    source = as_relation(source)
    relation = source.filter(where) if where else source
    if columns is not None:
        relation = relation.project(", ".join(f'"{name}"' for name in columns))
    if order_by:
        relation = relation.order(order_by)
    reader = relation.to_arrow_reader(batch_rows)
    for batch in reader:
        if batch.num_rows:
            yield pl.from_arrow(pa.Table.from_batches([batch]))  # type: ignore[misc]


def user_ranges(
    source: FeatureSource, where: str | None, rows_per_range: int
) -> list[tuple[int, int]]:
    """Contiguous [low, high] user_id ranges of about `rows_per_range` rows each (ids spread
    evenly between the smallest and largest; [] when no row matches)."""
    relation = as_relation(source)
    relation = relation.filter(where) if where else relation
    low, high, rows = relation.aggregate("min(user_id), max(user_id), count(*)").fetchone()
    if not rows:
        return []
    parts = max(1, -(-int(rows) // rows_per_range))
    edges = np.linspace(int(low), int(high) + 1, parts + 1).astype(np.int64)
    return [(int(a), int(b) - 1) for a, b in itertools.pairwise(edges) if b > a]


def iter_user_ordered_batches(
    source: FeatureSource,
    where: str | None,
    then_by: str,
    rows_per_sort: int = ROWS_PER_SORT,
) -> Iterator[pl.DataFrame]:
    """Batches in (user_id, then_by) order, sorted one user-id range at a time.

    One ORDER BY over the whole training table (18M rows x 70 columns at scale 1) made DuckDB
    hold its whole memory_limit for the sort; ranges of `rows_per_sort` rows keep each sort
    small, and the concatenated ranges are the same global order.
    """
    for low, high in user_ranges(source, where, rows_per_sort):
        in_range = f"user_id between {low} and {high}"
        yield from iter_batches(
            source,
            f"({where}) and {in_range}" if where else in_range,
            order_by=f"user_id, {then_by}",
        )


def to_matrix(frame: pl.DataFrame, features: list[str]) -> np.ndarray:
    """float32 row-major matrix of the features; nulls become NaN (LightGBM's missing value)."""
    return (
        frame.select(pl.col(features).cast(pl.Float32))
        .to_numpy(order="c")
        .astype(np.float32, copy=False)
    )
