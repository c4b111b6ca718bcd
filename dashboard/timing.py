"""Time to interactive of every dashboard page in chromium.

`python -m dashboard.timing --warehouse W` serves the app on W and loads each page in a fresh
page load (script run, every chart drawn) twice: first with empty query caches (cold), then
cached. Prints a markdown table; the budget is 2 s per page at scale 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard.browser import visit_all

BUDGET_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path("build/instacart.duckdb"))
    args = parser.parse_args()
    cold, cached = visit_all(args.warehouse, passes=2)
    print(f"warehouse: {args.warehouse}\n")
    print("| page | cold (s) | cached (s) | charts | within 2 s cold |")
    print("| --- | ---: | ---: | ---: | --- |")
    for first, second in zip(cold, cached, strict=True):
        within = "yes" if first.seconds_to_interactive <= BUDGET_SECONDS else "no"
        print(
            f"| {first.url_path} | {first.seconds_to_interactive:.2f} | "
            f"{second.seconds_to_interactive:.2f} | {first.charts} | {within} |"
        )


if __name__ == "__main__":
    main()
