"""Save a PNG of every dashboard page: `python -m dashboard.screenshots --warehouse W --out D`."""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard.browser import visit_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path("build/instacart.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    (visits,) = visit_all(args.warehouse, screenshot_dir=args.out)
    for page in visits:
        if page.errors:
            raise SystemExit(f"{page.url_path}: error shown: {page.errors}")
        print(f"{args.out / (page.url_path + '.png')}: {page.charts} chart(s)")


if __name__ == "__main__":
    main()
