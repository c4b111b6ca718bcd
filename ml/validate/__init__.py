"""Validated ingest of the six raw Instacart CSV files (DuckDB reads, great-expectations checks).

Public API:
- `validate_data_dir(data_dir) -> ValidationReport`: check everything, never raise for bad data.
- `ensure_valid(data_dir, cache_dir=None) -> ValidationReport`: raise `RawDataError` (message =
  the full report) on failure; with `cache_dir`, skip files whose fingerprint already passed.
- `RAW_FILES` (in `ml.validate.schema`): the declared raw schema.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pyarrow as pa

from ml.validate.cache import fingerprint, read_stamp, write_stamp
from ml.validate.report import Failure, RawDataError, ValidationReport
from ml.validate.schema import RAW_FILES

# GX probes the optional pyspark (installed for the Spark target) when imported, and pyspark
# warns that pandas 3 is not fully supported: irrelevant here, GX runs on pandas frames only.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support", category=FutureWarning
)


def __getattr__(name: str) -> Any:
    # great-expectations (ml.validate.core) is imported on first use, not with the package:
    # `python -m ml.validate` imports this package before __main__ has a __spec__, and GX's
    # optional-pyspark probe then imports pyspark.sql.connect, which takes such a bare
    # __main__ for a doctest run and calls sys.exit(0): the CLI would exit 0 unvalidated.
    if name == "validate_data_dir":
        from ml.validate.core import validate_data_dir

        return validate_data_dir
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RAW_FILES",
    "Failure",
    "RawDataError",
    "ValidationReport",
    "ensure_valid",
    "report_table",
    "validate_data_dir",
]


def ensure_valid(
    data_dir: str | Path, cache_dir: str | Path | None = None, *, progress: bool = True
) -> ValidationReport:
    """Validate `data_dir` or raise RawDataError; reuse a pass stamp from `cache_dir` if any."""
    data_dir = Path(data_dir)
    print_ = fingerprint(data_dir) if cache_dir is not None else None
    if cache_dir is not None and print_ is not None:
        counts = read_stamp(Path(cache_dir), print_)
        if counts is not None:
            return ValidationReport(data_dir, row_counts=counts, from_cache=True)
    from ml.validate.core import validate_data_dir  # see __getattr__: GX on first use only

    report = validate_data_dir(data_dir, progress=progress)
    if not report.success:
        raise RawDataError(report)
    if cache_dir is not None and print_ is not None:
        write_stamp(Path(cache_dir), print_, report)
    return report


def report_table(report: ValidationReport) -> pa.Table:
    """One row per raw file that passed: what the raw_file_checks dbt model stores."""
    data_print = fingerprint(Path(report.data_dir)) or ""
    names = list(RAW_FILES)
    return pa.table(
        {
            "file_name": names,
            "row_count": pa.array([report.row_counts.get(name, 0) for name in names], pa.int64()),
            "data_fingerprint": [data_print] * len(names),
            "from_cache": [report.from_cache] * len(names),
        }
    )
