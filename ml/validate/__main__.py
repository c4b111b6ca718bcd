"""CLI: `python -m ml.validate DATA_DIR [--cache-dir DIR]`.

Exit codes: 0 valid (OK summary on stdout), 1 invalid data (report on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ml.validate import RawDataError, ensure_valid

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ml.validate",
        description="Validate the six raw Instacart CSV files before dbt reads them.",
    )
    parser.add_argument("data_dir", type=Path, help="directory holding the six CSV files")
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="skip files whose fingerprint already passed"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser.parse_args(argv)  # exits 2 on bad usage


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"error: {args.data_dir} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = ensure_valid(args.data_dir, args.cache_dir, progress=not args.quiet)
    except RawDataError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INVALID
    print(report.summary())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
