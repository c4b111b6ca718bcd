"""CLI: python -m ml.synthetic --users N --seed S --out DIR."""

from __future__ import annotations

import argparse

from ml.synthetic import generate


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and generate the data set."""
    ap = argparse.ArgumentParser(
        prog="python -m ml.synthetic",
        description="Write synthetic Instacart files (Kaggle format) plus truth/ into --out.",
    )
    ap.add_argument("--users", type=int, required=True, help="number of users (206209 = scale 1)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (same seed = same bytes)")
    ap.add_argument("--out", required=True, help="output directory (created if missing)")
    ap.add_argument("--quiet", action="store_true", help="no progress display on stderr")
    ap.add_argument(
        "--campaign",
        action="store_true",
        help="also plant a targeted campaign (experiment_assignments.csv + truth/campaign.json)",
    )
    args = ap.parse_args(argv)
    generate(args.users, args.seed, args.out, progress=not args.quiet)
    if args.campaign:
        from ml.synthetic.campaign import add_campaign

        add_campaign(args.out, args.seed)


if __name__ == "__main__":
    main()
