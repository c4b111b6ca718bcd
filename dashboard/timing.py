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
    parser.add_argument("--out", type=Path, help="also write the markdown table here")
    args = parser.parse_args()
    cold, cached = visit_all(args.warehouse, passes=2)
    lines = [
        "| page | cold (s) | cached (s) | charts | within 2 s cold |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for first, second in zip(cold, cached, strict=True):
        within = "yes" if first.seconds_to_interactive <= BUDGET_SECONDS else "no"
        lines.append(
            f"| {first.url_path} | {first.seconds_to_interactive:.2f} | "
            f"{second.seconds_to_interactive:.2f} | {first.charts} | {within} |"
        )
    table = "\n".join(lines) + "\n"
    print(f"warehouse: {args.warehouse}\n\n{table}")
    if args.out is not None:
        args.out.write_text(table)


if __name__ == "__main__":
    main()
