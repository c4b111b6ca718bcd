"""Read-only access to the warehouse file, cached per file version.

The build swaps a new file in with rename(2), so the file's (inode, mtime) is its version: the
cache keys on it, and a rebuild is picked up on the next query without restarting the app.
Readers never write, so a read-only connection works while `make build` runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

DEFAULT_WAREHOUSE = "build/instacart.duckdb"
# Marts every page needs; without them the file is not a built warehouse.
REQUIRED_TABLES = ("dim_users", "fct_orders", "mart_rfm_segment_summary")


@dataclass(frozen=True)
class WarehouseVersion:
    """One version of the warehouse file: where it is and which inode/mtime it has."""

    path: str
    inode: int
    mtime_ns: int


def warehouse_path() -> Path:
    return Path(os.environ.get("INSTACART_WAREHOUSE_PATH", DEFAULT_WAREHOUSE))


def current_version(path: Path | None = None) -> WarehouseVersion | None:
    """The file's current version, or None when there is no warehouse file."""
    path = path or warehouse_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return WarehouseVersion(str(path.resolve()), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource(max_entries=2, show_spinner=False)
def _database(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    # One read-only database per file version; queries use their own cursor (thread-safe).
    return duckdb.connect(version.path, read_only=True)


@st.cache_data(max_entries=512, show_spinner=False)
def _run(version: WarehouseVersion, sql: str, parameters: tuple) -> pd.DataFrame:
    cursor = _database(version).cursor()
    try:
        return cursor.execute(sql, list(parameters)).df()
    finally:
        cursor.close()


def run(sql: str, parameters: tuple = ()) -> pd.DataFrame:
    """The result of one SQL query on the current warehouse version (cached)."""
    version = current_version()
    if version is None:
        raise FileNotFoundError(warehouse_path())
    return _run(version, sql, parameters)


def scalar(sql: str, parameters: tuple = ()) -> object:
    frame = run(sql, parameters)
    return None if frame.empty else frame.iat[0, 0]


def table_schemas() -> dict[str, str]:
    """Table name -> schema for every table and view in the warehouse."""
    frame = run(
        "select table_name, min(table_schema) as table_schema "
        "from information_schema.tables group by table_name"
    )
    return dict(zip(frame["table_name"], frame["table_schema"], strict=True))


def qualified(table: str) -> str | None:
    """`schema.table` of a table looked up by name, or None when it is not built."""
    schema = table_schemas().get(table)
    return None if schema is None else f"{schema}.{table}"


def is_built() -> bool:
    """True when the warehouse file exists and holds the core marts."""
    if current_version() is None:
        return False
    try:
        names = table_schemas()
    except duckdb.Error:
        return False
    return all(table in names for table in REQUIRED_TABLES)
