"""DuckDB side of validation: read the CSV files as text, type them, and hand out typed frames.

Every column is read as VARCHAR (DuckDB never sniffs types) and converted with an explicit,
strict cast, so a bad value becomes NULL in the typed column and is kept verbatim in a
`<column>__raw` column for the error message. Tables live in a file-backed scratch database:
DuckDB compresses on-disk tables (mostly-NULL raw columns cost almost nothing there), so the
34M-row line file needs ~100 MB instead of ~2 GB of RAM as an in-memory table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ml.validate.schema import RAW_FILES, TABLE_NAMES

# Data rows start on line 2 (line 1 is the header); DuckDB's rowid is the 0-based row order.
FIRST_DATA_LINE = 2

# Strict number syntax. DuckDB's own casts accept '8.5' (rounds to 9), '1e1', '0x10', '1_000';
# none of those is a plausible Instacart value, so they must surface as type errors.
_INT_PATTERN = r"-?[0-9]+"
_REAL_PATTERN = r"-?[0-9]+(\.[0-9]*)?"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_column(column: str) -> str:
    """Name of the column holding the verbatim text of values that failed their type cast."""
    return f"{column}__raw"


def connect(workdir: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open a scratch database in `workdir` (deleted by the caller) with bounded memory."""
    con = duckdb.connect(str(workdir / "raw.duckdb"))
    # Cap DuckDB well under the 6 GB budget; pandas/GX need the rest. Spill goes to workdir.
    con.execute("SET memory_limit = '2GB'")
    # DuckDB draws its own progress bar on long queries; we print one line per step instead.
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = {_quote_literal(str(workdir / 'spill'))}")
    # rowid must follow file order so that line numbers are right.
    con.execute("SET preserve_insertion_order = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def read_header(path: Path) -> list[str] | None:
    """Column names on the first line, or None when the file has no header at all.

    Read in Python (not DuckDB) so a wrong header can be reported as expected vs found
    before DuckDB is asked to map columns by position.
    """
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    # utf-8-sig drops a BOM; rstrip handles both LF and CRLF endings.
    text = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not text.strip():
        return None
    return next(csv.reader([text]))


def _typed_expr(column: str, duck_type: str) -> str:
    col = _quote_ident(column)
    if duck_type == "INTEGER":
        strict = f"regexp_full_match({col}, '{_INT_PATTERN}')"
        return f"CASE WHEN {strict} THEN try_cast({col} AS INTEGER) END"
    if duck_type == "DOUBLE":
        # isfinite keeps 'nan'/'inf' out: pandas would treat NaN as "empty", hiding the error.
        cast = f"try_cast({col} AS DOUBLE)"
        return (
            f"CASE WHEN regexp_full_match({col}, '{_REAL_PATTERN}') AND isfinite({cast}) "
            f"THEN {cast} END"
        )
    return col


def load_file(con: duckdb.DuckDBPyConnection, file: str, path: Path) -> int:
    """Load `file` into its table (typed columns plus `__raw` columns); return its row count.

    Raises duckdb.Error when the text is not CSV-shaped (wrong field count, bad UTF-8, ...).
    """
    spec = RAW_FILES[file]
    columns = "{" + ", ".join(f"{_quote_literal(c)}: 'VARCHAR'" for c, _ in spec) + "}"
    inner = ", ".join(
        f"{_quote_ident(c)} AS {_quote_ident(c + '__str')}, "
        f"{_typed_expr(c, t)} AS {_quote_ident(c)}"
        for c, t in spec
    )
    outer: list[str] = []
    for column, duck_type in spec:
        outer.append(_quote_ident(column))
        if duck_type != "VARCHAR":
            text, typed = _quote_ident(column + "__str"), _quote_ident(column)
            outer.append(
                f"CASE WHEN {typed} IS NULL AND {text} IS NOT NULL THEN {text} END "
                f"AS {_quote_ident(raw_column(column))}"
            )
    table = TABLE_NAMES[file]
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(outer)} FROM ("
        f"SELECT {inner} FROM read_csv({_quote_literal(str(path))}, header = true, "
        f"auto_detect = false, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, columns = {columns}))"
    )
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def unparsed_columns(con: duckdb.DuckDBPyConnection, file: str) -> set[str]:
    """Columns of `file` holding at least one value that failed its type cast.

    Only those `__raw` columns are shipped to pandas: converting all-NULL text columns of a
    4M-row chunk to Arrow costs more than the rules themselves.
    """
    typed = [c for c, t in RAW_FILES[file] if t != "VARCHAR"]
    if not typed:
        return set()
    counts = ", ".join(f"count({_quote_ident(raw_column(c))})" for c in typed)
    row = con.execute(f"SELECT {counts} FROM {TABLE_NAMES[file]}").fetchone() or ()
    return {column for column, count in zip(typed, row, strict=True) if count}


def create_key_table(con: duckdb.DuckDBPyConnection, name: str, source_sql: str, key: str) -> None:
    """Materialise distinct parent keys so lookups never multiply child rows on duplicates."""
    con.execute(
        f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM ({source_sql}) "
        f"WHERE {_quote_ident(key)} IS NOT NULL"
    )


@dataclass(frozen=True)
class Lookup:
    """Helper columns DuckDB computes by joining a file to a table of distinct parent keys.

    `flag` (if set) names a 0/1 column: 1 = key found in the parent, NULL when the row has no
    key (a type/presence rule already reports that row). `copies` are (parent column, alias)
    pairs copied from the matching parent row (NULL when not found).
    """

    key: str
    parent_table: str
    parent_key: str
    flag: str | None = None
    copies: tuple[tuple[str, str], ...] = ()


def _partition_where(column_sql: str, partition: tuple[str, int, int]) -> str:
    """Rows of one hash partition; rows without a key all land in partition 0."""
    _, parts, index = partition
    return f"coalesce(abs({column_sql}) % {parts}, 0) = {index}"


def frame_sql(
    file: str,
    lookups: list[Lookup],
    wide_columns: set[str],
    raw_columns: set[str],
    partition: tuple[str, int, int] | None = None,
) -> str:
    """SELECT for one GX batch: line number, typed + raw columns, and lookup helpers.

    `wide_columns` become BIGINT/DOUBLE because GX only vectorises range checks on 64-bit
    numpy dtypes (it falls back to a Python loop per value for int32). `partition`
    (column, parts, index) restricts to one hash partition of a key so per-partition
    uniqueness checks stay exact. `raw_columns` lists the columns whose `__raw` text is needed.
    """
    table = TABLE_NAMES[file]
    select = [f"(t.rowid + {FIRST_DATA_LINE})::INTEGER AS line"]
    for column, duck_type in RAW_FILES[file]:
        expr = f"t.{_quote_ident(column)}"
        if column in wide_columns and duck_type == "INTEGER":
            expr = f"{expr}::BIGINT"
        select.append(f"{expr} AS {_quote_ident(column)}")
        if column in raw_columns:
            select.append(f"t.{_quote_ident(raw_column(column))}")
    joins: list[str] = []
    for i, lookup in enumerate(lookups):
        alias, key = f"j{i}", f"t.{_quote_ident(lookup.key)}"
        parent_key = f"{alias}.{_quote_ident(lookup.parent_key)}"
        parent = lookup.parent_table
        if partition is not None and lookup.key == partition[0]:
            # Same partition on the parent side: the hash table is built from 1/parts of the
            # 3.4M order keys per chunk instead of all of them.
            where = _partition_where(_quote_ident(lookup.parent_key), partition)
            parent = f"(SELECT * FROM {parent} WHERE {where})"
        joins.append(f"LEFT JOIN {parent} AS {alias} ON {key} = {parent_key}")
        if lookup.flag is not None:
            found = f"({parent_key} IS NOT NULL)::TINYINT"
            flag = f"CASE WHEN {key} IS NULL THEN NULL ELSE {found} END"
            select.append(f"{flag} AS {_quote_ident(lookup.flag)}")
        for parent_column, copy_alias in lookup.copies:
            select.append(f"{alias}.{_quote_ident(parent_column)} AS {_quote_ident(copy_alias)}")
    sql = f"SELECT {', '.join(select)} FROM {table} AS t {' '.join(joins)}"
    if partition is not None:
        sql += f" WHERE {_partition_where('t.' + _quote_ident(partition[0]), partition)}"
    # Row order = file order, so GX's "first few unexpected rows" are the earliest lines.
    return sql + " ORDER BY line"


def _fetch(cursor: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    # Via Arrow: compact integer columns, and text columns land as Arrow-backed strings.
    return cursor.execute(sql).to_arrow_table().to_pandas()


def iter_frames(con: duckdb.DuckDBPyConnection, sqls: list[str]) -> Iterator[pd.DataFrame]:
    """Yield each SELECT as pandas, fetching the next one while the caller checks this one.

    DuckDB releases the GIL while it scans, joins and sorts, so on two cores the next chunk's
    query overlaps GX's (mostly single-threaded) work on the current chunk. At most two
    chunks are alive at once. The worker uses its own cursor, as DuckDB connections are not
    meant to be shared between threads.
    """
    if not sqls:
        return
    cursor = con.cursor()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(_fetch, cursor, sqls[0])
            for next_sql in [*sqls[1:], None]:
                frame = pending.result()
                if next_sql is not None:
                    pending = pool.submit(_fetch, cursor, next_sql)
                yield frame
                del frame
    finally:
        cursor.close()
