"""The tables the basket dbt Python models write (ml_association_rules, ml_rule_metrics)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from ml.basket.rules import MinedRules, RuleSettings, mine_rules
from ml.reorder.pipeline import METRIC_SCHEMA, Frame, to_polars

MODEL_NAME = "basket_fpgrowth"
PLANTED_TRUTH = Path("truth") / "planted_associations.csv"
RULE_SCHEMA = pa.schema(
    [
        ("rule_id", pa.int64()),
        ("antecedents", pa.list_(pa.int64())),
        ("consequents", pa.list_(pa.int64())),
        ("antecedent_size", pa.int32()),
        ("consequent_size", pa.int32()),
        ("support", pa.float64()),
        ("confidence", pa.float64()),
        ("lift", pa.float64()),
        ("leverage", pa.float64()),
        ("conviction", pa.float64()),
        ("itemset_order_count", pa.int64()),
        ("min_order_count", pa.int64()),
        ("prior_orders", pa.int64()),
        ("frequent_products", pa.int64()),
        ("mined_baskets", pa.int64()),
        ("sampled_baskets", pa.int64()),
        ("run_id", pa.string()),
    ]
)


def mine(order_lines: Frame, orders: Frame, settings: RuleSettings) -> MinedRules:
    """Rules over prior baskets (order_lines: fct_order_lines, orders: fct_orders)."""
    lines = to_polars(order_lines)
    if "eval_set" in lines.columns:
        lines = lines.filter(pl.col("eval_set") == "prior")
    lines = lines.select("order_id", "product_id", "user_id")
    order_frame = to_polars(orders)
    prior_orders = order_frame.filter(pl.col("eval_set") == "prior").height
    return mine_rules(lines, prior_orders, settings)


def run_id_for(mined: MinedRules) -> str:
    """Mining time (UTC) + the first 10 hex digits of a hash of the itemsets and their counts."""
    digest = hashlib.sha256(
        f"{mined.prior_orders}:{mined.min_order_count}:{mined.mined_baskets}".encode()
        + mined.itemsets.hash_rows().sort().to_numpy().tobytes()
    )
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{digest.hexdigest()[:10]}"


def rules_table(order_lines: Frame, orders: Frame, settings: RuleSettings) -> pa.Table:
    """ml_association_rules: one row per rule, strongest (lift) first; run sizes repeated."""
    mined = mine(order_lines, orders, settings)
    print(
        f"[basket] {mined.frequent_products} frequent products, {mined.mined_baskets} baskets "
        f"({mined.sampled_baskets} sampled for FP-growth), {mined.itemsets.height} itemsets, "
        f"{mined.rules.height} rules",
        flush=True,
    )
    rules = mined.rules.with_columns(
        pl.lit(mined.min_order_count, dtype=pl.Int64).alias("min_order_count"),
        pl.lit(mined.prior_orders, dtype=pl.Int64).alias("prior_orders"),
        pl.lit(mined.frequent_products, dtype=pl.Int64).alias("frequent_products"),
        pl.lit(mined.mined_baskets, dtype=pl.Int64).alias("mined_baskets"),
        pl.lit(mined.sampled_baskets, dtype=pl.Int64).alias("sampled_baskets"),
        pl.lit(run_id_for(mined)).alias("run_id"),
    )
    return rules.select(RULE_SCHEMA.names).to_arrow().cast(RULE_SCHEMA)


def planted_recall(rules: pl.DataFrame, planted: pl.DataFrame) -> dict[str, float]:
    """Recall of planted antecedent -> consequent pairs among the 2-item rules.

    top: among the N strongest 2-item rules by lift, N = number of planted pairs; all: among
    every 2-item rule. Both are shares of all planted pairs.
    """
    pairs = rules.filter((pl.col("antecedent_size") == 1) & (pl.col("consequent_size") == 1))
    pairs = pairs.sort(["lift", "rule_id"], descending=[True, False]).select(
        pl.col("antecedents").list.first().alias("antecedent_product_id"),
        pl.col("consequents").list.first().alias("consequent_product_id"),
    )
    truth = planted.select(
        pl.col("antecedent_product_id").cast(pl.Int64),
        pl.col("consequent_product_id").cast(pl.Int64),
    )
    n_planted = truth.height
    found_all = pairs.join(truth, on=["antecedent_product_id", "consequent_product_id"]).height
    found_top = (
        pairs.head(n_planted)
        .join(truth, on=["antecedent_product_id", "consequent_product_id"])
        .height
    )
    return {
        "planted_pairs": float(n_planted),
        "planted_recall_top_rules": found_top / n_planted if n_planted else float("nan"),
        "planted_precision_top_rules": found_top / min(n_planted, pairs.height)
        if pairs.height
        else float("nan"),
        "planted_recall_all_rules": found_all / n_planted if n_planted else float("nan"),
    }


def metrics_table(rules: Frame, data_dir: str | None) -> pa.Table:
    """ml_rule_metrics: rule counts, sample sizes and (synthetic data) planted-pair recall."""
    frame = to_polars(rules)
    first = frame.head(1)
    run_id = str(first["run_id"][0]) if first.height else "no-rules"
    values: dict[str, float] = {
        "n_rules": float(frame.height),
        "n_pair_rules": float(
            frame.filter((pl.col("antecedent_size") == 1) & (pl.col("consequent_size") == 1)).height
        ),
        "n_larger_rules": float(
            frame.filter(pl.col("antecedent_size") + pl.col("consequent_size") > 2).height
        ),
    }
    for column in (
        "min_order_count",
        "prior_orders",
        "frequent_products",
        "mined_baskets",
        "sampled_baskets",
    ):
        if first.height:
            values[column] = float(first[column][0])
    if frame.height:
        values["max_lift"] = float(frame["lift"].max())  # type: ignore[arg-type]
    truth_path = Path(data_dir) / PLANTED_TRUTH if data_dir else None
    if truth_path is not None and truth_path.exists():
        values.update(planted_recall(frame, pl.read_csv(truth_path)))
    return pa.table(
        {
            "run_id": [run_id] * len(values),
            "model": [MODEL_NAME] * len(values),
            "split": ["train"] * len(values),
            "metric": list(values),
            "value": list(values.values()),
        },
        schema=METRIC_SCHEMA,
    )
