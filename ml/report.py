"""Print the ML metrics from the warehouse: `python -m ml.report`.

Opens the warehouse read-only and prints, for the latest run in ml.ml_model_metrics, a
model x metric table of the validation split (plus each model's mean F1 relative to the
oracle when the oracle exists, i.e. on synthetic data), then one section per other model:
the demand forecast's backtest (WAPE, bias, Brier; ml.forecast.report), the campaign
experiments (ml.experiments.report) and the recommender (product2vec metrics and the
next-basket Recall/NDCG/hit rate@10 of the hybrid and its baselines), and the behavioural
clusters and association rules with their metrics (ml.segments.report).

    python -m ml.report [--warehouse build/instacart.duckdb] [--split validation]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import polars as pl

from ml.experiments.report import print_experiments_section
from ml.forecast.report import forecast_table, is_forecast
from ml.recommend.report import print_recommender_section
from ml.segments.report import print_section

# Rows and columns in reading order (other metrics stay in the table, see --all).
MODEL_ORDER = ["reorder_lgbm", "baseline_last_basket", "baseline_half_orders", "oracle"]
METRIC_ORDER = [
    "mean_f1",
    "mean_f1_best_threshold",
    "mean_f1_none_with_items",
    "mean_expected_f1",
    "roc_auc",
    "pr_auc",
    "log_loss",
    "pair_f1_best_threshold",
]
LATEST_RUN = """
select m.model, m.metric, m.value, m.run_id
from ml.ml_model_metrics m
where m.split = ?
  and m.run_id = (select run_id from ml.ml_reorder_model order by trained_at desc limit 1)
"""


def metrics_table(metrics: pl.DataFrame) -> pl.DataFrame:
    """Long (model, metric, value) -> wide model x metric, with mean_f1 / oracle mean_f1.

    Reorder rows only: the forecast backtest shares the run id and has its own table.
    """
    metrics = metrics.filter(~is_forecast(pl.col("model")))
    wide = metrics.pivot(on="metric", index="model", values="value", aggregate_function="first")
    oracle = metrics.filter((pl.col("model") == "oracle") & (pl.col("metric") == "mean_f1"))
    if oracle.height:
        wide = wide.with_columns(f1_to_oracle=pl.col("mean_f1") / oracle["value"][0])
    known = [m for m in METRIC_ORDER if m in wide.columns]
    ordered = ["model", *known, *(["f1_to_oracle"] if oracle.height else [])]
    rank = {name: i for i, name in enumerate(MODEL_ORDER)}
    return (
        wide.select(ordered)
        .with_columns(_rank=pl.col("model").replace_strict(rank, default=len(rank)))
        .sort("_rank", "model")
        .drop("_rank")
    )


def latest_metrics(warehouse: Path, split: str = "validation") -> pl.DataFrame:
    """(model, metric, value, run_id) of the latest reorder run; empty when there is none."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        frame = pl.from_arrow(connection.execute(LATEST_RUN, [split]).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def markdown_table(table: pl.DataFrame) -> str:
    """A model x metric table as markdown (4 decimals), for bench results and README."""
    header = "| " + " | ".join(table.columns) + " |"
    rule = "| --- |" + " ---: |" * (table.width - 1)
    rows = [
        "| "
        + " | ".join(
            value if isinstance(value, str) else ("" if value is None else f"{value:.4f}")
            for value in row
        )
        + " |"
        for row in table.iter_rows()
    ]
    return "\n".join([header, rule, *rows])


# Recommender section (issue 5): embedding quality and next-basket ranking metrics.
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ml.report", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path("build/instacart.duckdb"))
    parser.add_argument("--split", default="validation", choices=["validation", "train"])
    parser.add_argument("--all", action="store_true", help="also list every metric, long form")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args(argv)
    long = latest_metrics(args.warehouse, args.split)
    if not long.height:
        raise SystemExit(f"no reorder metrics in {args.warehouse}; build ml_model_metrics first")
    print(f"run {long['run_id'][0]} - split {args.split}")
    forecast = forecast_table(long.drop("run_id"))
    table = metrics_table(long.drop("run_id"))
    if args.markdown:
        print(markdown_table(table))
        if forecast.height:
            print("\ndemand forecast backtest (validation users' final orders)\n")
            print(markdown_table(forecast))
        print_experiments_section(args.warehouse, markdown=True)
        print_recommender_section(args.warehouse, markdown=True)
        return
    with pl.Config(
        tbl_rows=100,
        tbl_cols=30,
        float_precision=4,
        tbl_width_chars=250,
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
    ):
        print(table)
        if forecast.height:
            print("demand forecast backtest (validation users' final orders)")
            print(forecast)
        if args.all:
            print(long.select("model", "metric", "value").sort("model", "metric"))
        print_experiments_section(args.warehouse)
        print_recommender_section(args.warehouse, markdown=False)
        print_section(args.warehouse)


if __name__ == "__main__":
    main()
