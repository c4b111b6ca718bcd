"""Kaggle-format submission from the warehouse: `python -m ml.reorder.submission`.

Reads ml.ml_reorder_baskets (read-only) and writes order_id,products for every test order,
products space-separated, "None" for the empty basket.

    python -m ml.reorder.submission --warehouse build/instacart.duckdb --out submission.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import polars as pl

SQL = """
select order_id, products
from ml.ml_reorder_baskets
where split = 'test'
order by order_id
"""


def submission_frame(baskets: pl.DataFrame) -> pl.DataFrame:
    """(order_id, products list) -> (order_id, products string) in the Kaggle format."""
    joined = pl.col("products").list.eval(pl.element().cast(pl.Utf8)).list.join(" ")
    return baskets.select(
        "order_id",
        products=pl.when(pl.col("products").list.len() == 0).then(pl.lit("None")).otherwise(joined),
    )


def write_submission(warehouse: Path, out: Path) -> int:
    """Write the submission file; return the number of orders written."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        baskets = pl.from_arrow(connection.sql(SQL).to_arrow_table())
    frame = submission_frame(baskets)  # type: ignore[arg-type]
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out)
    return frame.height


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ml.reorder.submission", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path("build/instacart.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("build/submission.csv"))
    args = parser.parse_args(argv)
    count = write_submission(args.warehouse, args.out)
    print(f"wrote {count} test orders to {args.out}")


if __name__ == "__main__":
    main()
