"""The rules each raw file must satisfy, as great-expectations expectations.

A `Rule` pairs one GX expectation with what the error message needs: the column to name, a
readable rule label and how to render an offending row. Checks across files (foreign keys,
"test orders have no lines", no order in both line files) are GX expectations on helper
columns that DuckDB computes by joining to the parent's distinct keys (`reader.Lookup`):
passing a 3.4M-key value set to GX instead would cost seconds per chunk in pydantic copies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from ml.validate.reader import Lookup, raw_column
from ml.validate.schema import (
    EVAL_SETS,
    LINE_FILES,
    NULLABLE_COLUMNS,
    RAW_FILES,
    TABLE_NAMES,
)

Row = Mapping[str, Any]

# Names of the DuckDB tables of distinct parent keys (built in core.py from loaded files).
ORDER_KEYS = "order_keys"
PRODUCT_KEYS = "product_keys"
AISLE_KEYS = "aisle_keys"
DEPARTMENT_KEYS = "department_keys"
LINE_ORDER_KEYS = "line_order_keys"
PRIOR_ORDER_KEYS = "prior_order_keys"
EVAL_SET_ENUM_SQL = "ENUM(" + ", ".join(f"'{name}'" for name in EVAL_SETS) + ")"


@dataclass(frozen=True)
class Rule:
    """One GX expectation plus the column to name, its label and how to show a bad row."""

    column: str | None
    label: str
    expectation: gxe.Expectation
    show: Callable[[Row], str]


@dataclass(frozen=True)
class FilePlan:
    """Everything needed to check one file: its rules and the helper columns they read."""

    rules: list[Rule]
    lookups: list[Lookup]

    @property
    def wide_columns(self) -> set[str]:
        """Columns under range checks; they must be 64-bit for GX's vectorised path."""
        return {
            rule.expectation.column
            for rule in self.rules
            if isinstance(rule.expectation, gxe.ExpectColumnValuesToBeBetween)
        }


def fmt(value: Any) -> str:
    """Render a cell for a message: integers without '.0', missing (None/NaN/NA) as 'empty'."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "empty"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def show_value(column: str) -> Callable[[Row], str]:
    return lambda row: fmt(row.get(column))


def show_raw(column: str) -> Callable[[Row], str]:
    """The verbatim text that failed to parse, or 'empty' when the cell had no value."""

    def render(row: Row) -> str:
        raw = row.get(raw_column(column))
        return "empty" if fmt(raw) == "empty" else repr(str(raw))

    return render


def show_pairs(*columns: str) -> Callable[[Row], str]:
    return lambda row: ", ".join(f"{c}={fmt(row.get(c))}" for c in columns)


def _between_label(low: float | None, high: float | None) -> str:
    if high is None:
        return f"expect_column_values_to_be_between(min {low})"
    return f"expect_column_values_to_be_between({low}, {high})"


def between(column: str, low: int, high: int | None = None) -> Rule:
    return Rule(
        column,
        _between_label(low, high),
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high),
        show_value(column),
    )


def in_set(column: str, values: list[Any]) -> Rule:
    shown = ", ".join(str(v) for v in values)
    return Rule(
        column,
        f"expect_column_values_to_be_in_set({{{shown}}})",
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values),
        show_value(column),
    )


def unique(column: str) -> Rule:
    return Rule(
        column,
        "expect_column_values_to_be_unique",
        gxe.ExpectColumnValuesToBeUnique(column=column),
        show_value(column),
    )


def compound_unique(*columns: str) -> Rule:
    return Rule(
        ", ".join(columns),
        f"expect_compound_columns_to_be_unique({', '.join(columns)})",
        gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns)),
        show_pairs(*columns),
    )


def type_rules(file: str) -> list[Rule]:
    """Presence + declared type of every column.

    A typed column is NULL when the cell was empty or did not parse, so one not-null
    expectation covers both for required columns; the raw text is shown from `__raw`.
    """
    rules: list[Rule] = []
    for column, duck_type in RAW_FILES[file]:
        parses = "" if duck_type == "VARCHAR" else f", parses as {duck_type}"
        if (file, column) in NULLABLE_COLUMNS:
            if duck_type != "VARCHAR":
                rules.append(
                    Rule(
                        column,
                        f"expect_column_values_to_be_null(unparsable as {duck_type})",
                        gxe.ExpectColumnValuesToBeNull(column=raw_column(column)),
                        show_raw(column),
                    )
                )
            continue
        rules.append(
            Rule(
                column,
                f"expect_column_values_to_not_be_null(value present{parses})",
                gxe.ExpectColumnValuesToNotBeNull(column=column),
                show_raw(column),
            )
        )
    return rules


def fk_flag_rule(key: str, flag: str, parent_file: str) -> Rule:
    return Rule(
        key,
        f"expect_column_values_to_be_in_set({key} exists in {parent_file})",
        gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[1]),
        lambda row: f"{fmt(row.get(key))} not in {parent_file}",
    )


def orders_plan(loaded: set[str]) -> FilePlan:
    rules = [
        *type_rules("orders.csv"),
        unique("order_id"),
        compound_unique("user_id", "order_number"),
        in_set("eval_set", list(EVAL_SETS)),
        between("order_number", 1),
        between("order_dow", 0, 6),
        between("order_hour_of_day", 0, 23),
        between("days_since_prior_order", 0, 30),
        Rule(
            "days_since_prior_order",
            "expect_column_values_to_be_null(where order_number = 1)",
            gxe.ExpectColumnValuesToBeNull(
                column="days_since_prior_order", row_condition=Column("order_number") == 1
            ),
            show_pairs("user_id", "days_since_prior_order"),
        ),
        Rule(
            "days_since_prior_order",
            "expect_column_values_to_not_be_null(where order_number > 1)",
            gxe.ExpectColumnValuesToNotBeNull(
                column="days_since_prior_order", row_condition=Column("order_number") > 1
            ),
            show_pairs("user_id", "order_number", "days_since_prior_order"),
        ),
    ]
    lookups: list[Lookup] = []
    if any(file in loaded for file in LINE_FILES):
        lookups.append(Lookup("order_id", LINE_ORDER_KEYS, "order_id", flag="has_lines"))
        rules.append(
            Rule(
                "order_id",
                "expect_column_values_to_be_in_set(has_lines in {0}, where eval_set = test)",
                gxe.ExpectColumnValuesToBeInSet(
                    column="has_lines", value_set=[0], row_condition=Column("eval_set") == "test"
                ),
                lambda row: f"test order {fmt(row.get('order_id'))} has lines",
            )
        )
    return FilePlan(rules, lookups)


def lines_plan(file: str, loaded: set[str]) -> FilePlan:
    eval_set = LINE_FILES[file]
    rules = [
        *type_rules(file),
        between("add_to_cart_order", 1),
        in_set("reordered", [0, 1]),
        compound_unique("order_id", "product_id"),
    ]
    lookups: list[Lookup] = []
    if "orders.csv" in loaded:
        lookups.append(
            Lookup(
                "order_id",
                ORDER_KEYS,
                "order_id",
                flag="order_id__in_orders",
                copies=(("eval_set", "order_eval_set"),),
            )
        )
        rules.append(fk_flag_rule("order_id", "order_id__in_orders", "orders.csv"))
        rules.append(
            Rule(
                "order_id",
                f"expect_column_values_to_be_in_set(order's eval_set in {{{eval_set}}})",
                gxe.ExpectColumnValuesToBeInSet(column="order_eval_set", value_set=[eval_set]),
                lambda row: f"order {fmt(row.get('order_id'))} is {fmt(row.get('order_eval_set'))}",
            )
        )
    if "products.csv" in loaded:
        lookups.append(Lookup("product_id", PRODUCT_KEYS, "product_id", flag="product_found"))
        rules.append(fk_flag_rule("product_id", "product_found", "products.csv"))
    other = next(f for f in LINE_FILES if f != file)
    if eval_set == "train" and other in loaded:
        # One direction suffices for "no order in both files"; train is the small side.
        lookups.append(Lookup("order_id", PRIOR_ORDER_KEYS, "order_id", flag="in_prior"))
        rules.append(
            Rule(
                "order_id",
                f"expect_column_values_to_be_in_set(order_id not also in {other})",
                gxe.ExpectColumnValuesToBeInSet(column="in_prior", value_set=[0]),
                lambda row: f"order {fmt(row.get('order_id'))} also in {other}",
            )
        )
    return FilePlan(rules, lookups)


def products_plan(loaded: set[str]) -> FilePlan:
    rules = [*type_rules("products.csv"), unique("product_id")]
    lookups: list[Lookup] = []
    for key, keys_table, parent in (
        ("aisle_id", AISLE_KEYS, "aisles.csv"),
        ("department_id", DEPARTMENT_KEYS, "departments.csv"),
    ):
        if parent in loaded:
            flag = f"{key}__found"
            lookups.append(Lookup(key, keys_table, key, flag=flag))
            rules.append(fk_flag_rule(key, flag, parent))
    return FilePlan(rules, lookups)


def plan_for(file: str, loaded: set[str]) -> FilePlan:
    """Rules for `file`; cross-file rules only when the other file loaded cleanly."""
    if file == "orders.csv":
        return orders_plan(loaded)
    if file in LINE_FILES:
        return lines_plan(file, loaded)
    if file == "products.csv":
        return products_plan(loaded)
    key = RAW_FILES[file][0][0]
    return FilePlan([*type_rules(file), unique(key)], [])


def key_table_sql(loaded: set[str]) -> dict[str, tuple[str, str]]:
    """Parent-key tables to build: name -> (SELECT over loaded tables, key column)."""
    tables: dict[str, tuple[str, str]] = {}
    if "orders.csv" in loaded:
        tables[ORDER_KEYS] = (
            # An ENUM reaches pandas as a categorical: far cheaper than 4M strings per chunk.
            # Unknown eval_sets become NULL here; orders.csv's own in-set rule reports them.
            f"SELECT order_id, try_cast(any_value(eval_set) AS {EVAL_SET_ENUM_SQL}) AS eval_set "
            "FROM orders GROUP BY order_id",
            "order_id",
        )
    for file, name, key in (
        ("products.csv", PRODUCT_KEYS, "product_id"),
        ("aisles.csv", AISLE_KEYS, "aisle_id"),
        ("departments.csv", DEPARTMENT_KEYS, "department_id"),
        ("order_products__prior.csv", PRIOR_ORDER_KEYS, "order_id"),
    ):
        if file in loaded:
            tables[name] = (f"SELECT DISTINCT {key} FROM {TABLE_NAMES[file]}", key)
    line_tables = [TABLE_NAMES[f] for f in LINE_FILES if f in loaded]
    if line_tables:
        union = " UNION ".join(f"SELECT order_id FROM {t}" for t in line_tables)
        tables[LINE_ORDER_KEYS] = (union, "order_id")
    return tables
