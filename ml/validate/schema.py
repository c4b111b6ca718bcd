"""Declared layout of the six raw Instacart CSV files.

This module is the single place the raw schema lives: the validator reads it, and other code
(dbt source setup, loaders, tests) can import it instead of repeating column lists.
"""

from __future__ import annotations

# file -> ordered (column, DuckDB type). Order matters: headers must match it exactly.
RAW_FILES: dict[str, list[tuple[str, str]]] = {
    "orders.csv": [
        ("order_id", "INTEGER"),
        ("user_id", "INTEGER"),
        ("eval_set", "VARCHAR"),
        ("order_number", "INTEGER"),
        ("order_dow", "INTEGER"),
        ("order_hour_of_day", "INTEGER"),
        # Real files write `30.0`; empty on each user's first order.
        ("days_since_prior_order", "DOUBLE"),
    ],
    "order_products__prior.csv": [
        ("order_id", "INTEGER"),
        ("product_id", "INTEGER"),
        ("add_to_cart_order", "INTEGER"),
        ("reordered", "INTEGER"),
    ],
    "order_products__train.csv": [
        ("order_id", "INTEGER"),
        ("product_id", "INTEGER"),
        ("add_to_cart_order", "INTEGER"),
        ("reordered", "INTEGER"),
    ],
    "products.csv": [
        ("product_id", "INTEGER"),
        ("product_name", "VARCHAR"),
        ("aisle_id", "INTEGER"),
        ("department_id", "INTEGER"),
    ],
    "aisles.csv": [("aisle_id", "INTEGER"), ("aisle", "VARCHAR")],
    "departments.csv": [("department_id", "INTEGER"), ("department", "VARCHAR")],
}

# Columns allowed to be empty; every other column must hold a value on every row.
NULLABLE_COLUMNS: frozenset[tuple[str, str]] = frozenset({("orders.csv", "days_since_prior_order")})

# DuckDB table name each file is loaded into (valid SQL identifiers, no dots).
TABLE_NAMES: dict[str, str] = {
    "orders.csv": "orders",
    "order_products__prior.csv": "lines_prior",
    "order_products__train.csv": "lines_train",
    "products.csv": "products",
    "aisles.csv": "aisles",
    "departments.csv": "departments",
}

# Line files and the eval_set their orders must carry.
LINE_FILES: dict[str, str] = {
    "order_products__prior.csv": "prior",
    "order_products__train.csv": "train",
}

EVAL_SETS: tuple[str, ...] = ("prior", "train", "test")


def column_names(file: str) -> list[str]:
    """Expected header of `file`, in order."""
    return [name for name, _ in RAW_FILES[file]]


def column_type(file: str, column: str) -> str:
    """Declared DuckDB type of `file`.`column`."""
    return dict(RAW_FILES[file])[column]
