"""Inputs of the ml package as DuckDB relations.

dbt-duckdb hands Python models DuckDB relations (`dbt.ref`); tests hand in-memory arrow or
polars frames. Both become a relation here, so filters and queries run through DuckDB with
the same SQL semantics either way.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa

Source = duckdb.DuckDBPyRelation | pa.Table | pl.DataFrame


def as_relation(source: Source) -> duckdb.DuckDBPyRelation:
    """A DuckDB relation over a relation (as is) or an in-memory frame (own connection)."""
    if isinstance(source, duckdb.DuckDBPyRelation):
        return source
    table = source if isinstance(source, pa.Table) else source.to_arrow()
    connection = duckdb.connect()
    connection.register("source_frame", table)
    return connection.table("source_frame")


def query(source: Source, sql: str) -> pl.DataFrame:
    """Run `sql` over the source, visible in it as the table `source`; result as polars."""
    result = pl.from_arrow(as_relation(source).query("source", sql).to_arrow_table())
    assert isinstance(result, pl.DataFrame)
    return result
