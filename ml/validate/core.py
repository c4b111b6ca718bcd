"""Orchestration: structure checks, DuckDB load, GX rules per file (chunked for line files)."""

from __future__ import annotations

import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from ml.validate.engine import GxRunner
from ml.validate.reader import (
    connect,
    create_key_table,
    frame_sql,
    iter_frames,
    load_file,
    read_header,
    unparsed_columns,
)
from ml.validate.report import Failure, ValidationReport
from ml.validate.rules import key_table_sql, plan_for
from ml.validate.schema import LINE_FILES, NULLABLE_COLUMNS, RAW_FILES, column_names

# Rows per GX batch for the line files: ~4M rows keep a chunk's frame and GX's boolean masks
# to a few hundred MB while keeping the fixed per-batch GX overhead small.
CHUNK_ROWS = 4_000_000

Progress = Callable[[str], None]


def _stderr_progress(message: str) -> None:
    print(f"[validate] {message}", file=sys.stderr, flush=True)


def _quiet(_message: str) -> None:
    return None


def check_structure(runner: GxRunner, data_dir: Path, file: str) -> Failure | None:
    """File present, not empty, exact header. Row checks only run on files that pass."""
    path = data_dir / file
    if not path.is_file():
        return Failure(file, "file present", detail=f"missing from {data_dir}")
    header = read_header(path)
    if header is None:
        return Failure(
            file,
            "expect_table_row_count_to_be_between(min 1)",
            message=f"{file} is empty (no header line)",
        )
    return runner.check_header(file, header, column_names(file))


def csv_error(error: duckdb.Error) -> str:
    """DuckDB's CSV error without its 'Possible fixes' and option dump: line, text, reason."""
    kept: list[str] = []
    for line in str(error).splitlines():
        if line.startswith(("Possible fix", "Possible Solution")):
            break
        if line.strip():
            kept.append(line.strip())
    return "; ".join(kept)[:500]


def load_all(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    files: list[str],
    report: ValidationReport,
    say: Progress,
) -> set[str]:
    """Load each structurally sound file; return those with at least one data row."""
    loaded: set[str] = set()
    for file in files:
        started = time.monotonic()
        try:
            rows = load_file(con, file, data_dir / file)
        except duckdb.Error as error:
            # Wrong field count, bad quoting or bad UTF-8: DuckDB's message names the line.
            report.failures.append(Failure(file, "readable as CSV", detail=csv_error(error)))
            continue
        report.row_counts[file] = rows
        say(f"{file}: read {rows:,} rows in {time.monotonic() - started:.1f}s")
        if rows == 0:
            report.failures.append(
                Failure(
                    file,
                    "expect_table_row_count_to_be_between(min 1)",
                    message=f"{file} is empty (header only, no data rows)",
                )
            )
            continue
        loaded.add(file)
    return loaded


def check_rows(
    con: duckdb.DuckDBPyConnection,
    runner: GxRunner,
    file: str,
    loaded: set[str],
    rows: int,
    say: Progress,
) -> list[Failure]:
    """Run every rule of `file`; line files in order_id hash partitions of ~CHUNK_ROWS rows.

    Per-row rules are chunk-local and (order_id, product_id) uniqueness is exact within an
    order_id partition, so results simply add up across chunks.
    """
    plan = plan_for(file, loaded)
    # Nullable columns' type rule reads `__raw` directly, so it must always be present.
    raw = unparsed_columns(con, file) | {c for f, c in NULLABLE_COLUMNS if f == file}
    parts = max(1, math.ceil(rows / CHUNK_ROWS)) if file in LINE_FILES else 1
    sqls = [
        frame_sql(
            file,
            plan.lookups,
            plan.wide_columns,
            raw,
            ("order_id", parts, i) if parts > 1 else None,
        )
        for i in range(parts)
    ]
    merged: dict[tuple[str | None, str], Failure] = {}
    fetch_started = time.monotonic()
    for index, frame in enumerate(iter_frames(con, sqls), start=1):
        fetched = time.monotonic() - fetch_started
        started = time.monotonic()
        for failure in runner.run(file, frame, plan.rules):
            key = (failure.column, failure.rule)
            if key in merged:
                merged[key].merge(failure)
            else:
                merged[key] = failure
        part = f" part {index}/{parts}" if parts > 1 else ""
        say(
            f"{file}:{part} {len(frame):,} rows, waited {fetched:.1f}s for DuckDB, "
            f"{len(plan.rules)} rules checked in {time.monotonic() - started:.1f}s"
        )
        del frame
        fetch_started = time.monotonic()
    # Keep the rules' declared order so reports read the same way every time.
    order = {(rule.column, rule.label): i for i, rule in enumerate(plan.rules)}
    failing = [f for f in merged.values() if f.failing]
    return sorted(failing, key=lambda f: order.get((f.column, f.rule), 0))


def validate_data_dir(data_dir: str | Path, *, progress: bool = True) -> ValidationReport:
    """Check the six raw Instacart files in `data_dir`; never raises for bad data.

    Progress lines go to stderr unless `progress` is False.
    """
    data_dir = Path(data_dir)
    say: Progress = _stderr_progress if progress else _quiet
    report = ValidationReport(data_dir)
    if not data_dir.is_dir():
        report.failures.append(
            Failure(str(data_dir), "data directory exists", detail="not a directory")
        )
        return report
    started = time.monotonic()
    runner = GxRunner()
    sound: list[str] = []
    for file in RAW_FILES:
        failure = check_structure(runner, data_dir, file)
        if failure is None:
            sound.append(file)
        else:
            report.failures.append(failure)
    with tempfile.TemporaryDirectory(prefix="ml-validate-") as workdir:
        con = connect(Path(workdir))
        try:
            loaded = load_all(con, data_dir, sound, report, say)
            for name, (sql, key) in key_table_sql(loaded).items():
                create_key_table(con, name, sql, key)
            for file in RAW_FILES:
                if file in loaded:
                    report.failures.extend(
                        check_rows(con, runner, file, loaded, report.row_counts[file], say)
                    )
        finally:
            con.close()
    say(f"done in {time.monotonic() - started:.1f}s")
    return report
