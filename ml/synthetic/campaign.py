"""Plant a targeted campaign in a generated data set (`python -m ml.synthetic --campaign`).

Runs after `generate` on the written files, so the generator itself stays unchanged:

- eligible users: at least 3 prior orders; each is assigned at order k (about the middle of
  their prior orders, at least 2 so the pre-period has a gap), so orders k+1 .. last prior
  order form the post-period.
- segment (observable, pre-period, the same rule as models/marts/experiments): the mean
  days_since_prior_order over orders 2..k: `frequent` (<= 10), `regular` (<= 20),
  `occasional` (> 20).
- targeting is non-random: P(treatment) rises with pre-period basket size and is highest for
  `frequent` users, who respond least (the naive treated-minus-control difference is then
  biased upwards by the baseline gap).
- the effect: every post-period prior order of a treated user gains Poisson(tau_segment)
  extra lines, products the user bought before the assignment, appended to the cart with
  reordered = 1. Final (train/test) orders are untouched, so the reorder truth stays exact,
  and since every added product was bought before, later reordered flags stay consistent.

Writes `experiment_assignments.csv` (user_id, experiment, variant, assigned_at_order) beside
the six files and `truth/campaign.json` + `truth/campaign_segments.csv`: the planted
per-segment effects and the realised effects on the treated (each treated user's untreated
outcome is the generated data before the campaign, so the true ATT is known exactly).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ml.synthetic import writer

EXPERIMENT = "campaign_1"
ASSIGNMENTS_FILE = "experiment_assignments.csv"
SEGMENT_BOUNDS = ((10.0, "frequent"), (20.0, "regular"), (float("inf"), "occasional"))
# Extra reordered lines per post-period order (the planted effect on items per order).
PLANTED_ITEMS_EFFECT = {"frequent": 0.3, "regular": 1.0, "occasional": 3.0}
# Targeting: logit P(treated) = intercept + segment offset + slope * z(pre items per order).
TARGETING_INTERCEPT = -0.6
TARGETING_SEGMENT = {"frequent": 0.9, "regular": 0.0, "occasional": -0.9}
TARGETING_ITEMS_SLOPE = 0.8
MIN_PRIOR_ORDERS = 3

ORDER_SCHEMA = {
    "order_id": pl.Int64,
    "user_id": pl.Int64,
    "eval_set": pl.String,
    "order_number": pl.Int64,
    "order_dow": pl.Int64,
    "order_hour_of_day": pl.String,
    "days_since_prior_order": pl.Float64,
}
LINE_SCHEMA = {
    "order_id": pl.Int32,
    "product_id": pl.Int32,
    "add_to_cart_order": pl.Int16,
    "reordered": pl.Int8,
}


@dataclass(frozen=True)
class Campaign:
    """The planted assignment (one row per eligible user) and the lines it added."""

    assignments: pl.DataFrame
    added_lines: pl.DataFrame


def segment_of(mean_gap_days: pl.Expr) -> pl.Expr:
    """Pre-period cadence segment (same thresholds as the experiments mart)."""
    (b1, s1), (b2, s2), (_, s3) = SEGMENT_BOUNDS
    return (
        pl.when(mean_gap_days <= b1)
        .then(pl.lit(s1))
        .when(mean_gap_days <= b2)
        .then(pl.lit(s2))
        .otherwise(pl.lit(s3))
    )


def _eligible_users(orders: pl.DataFrame, lines: pl.DataFrame, rng: np.random.Generator):
    """Assignment order, segment and pre-period basket size of every eligible user."""
    prior = orders.filter(pl.col("eval_set") == "prior")
    users = (
        prior.group_by("user_id")
        .agg(pl.len().alias("n_prior"))
        .filter(pl.col("n_prior") >= MIN_PRIOR_ORDERS)
        .sort("user_id")
    )
    # k in [2, n_prior - 1], centred on the middle of the prior orders
    jitter = rng.integers(-1, 2, users.height)
    users = users.with_columns(
        (pl.col("n_prior") // 2 + pl.Series(jitter))
        .clip(2, pl.col("n_prior") - 1)
        .alias("assigned_at_order")
    )
    pre_orders = prior.join(users.select("user_id", "assigned_at_order"), on="user_id").filter(
        pl.col("order_number") <= pl.col("assigned_at_order")
    )
    sizes = lines.group_by("order_id").agg(pl.len().alias("items"))
    pre = (
        pre_orders.join(sizes, on="order_id", how="left")
        .group_by("user_id")
        .agg(
            pl.col("days_since_prior_order").mean().alias("pre_mean_gap_days"),
            pl.col("items").fill_null(0).mean().alias("pre_items_per_order"),
        )
    )
    return (
        users.join(pre, on="user_id")
        .with_columns(segment_of(pl.col("pre_mean_gap_days")).alias("segment"))
        .sort("user_id")
    )


def _assign(users: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Draw treatment with a segment- and basket-size-skewed propensity."""
    items = users["pre_items_per_order"].to_numpy()
    z = (items - items.mean()) / (items.std() or 1.0)
    offset = users["segment"].replace_strict(TARGETING_SEGMENT, return_dtype=pl.Float64)
    logit = TARGETING_INTERCEPT + offset.to_numpy() + TARGETING_ITEMS_SLOPE * z
    propensity = 1.0 / (1.0 + np.exp(-logit))
    treated = rng.random(users.height) < propensity
    return users.with_columns(
        pl.Series("propensity", propensity),
        pl.Series("treated", treated),
        pl.lit(EXPERIMENT).alias("experiment"),
        pl.when(pl.Series(treated))
        .then(pl.lit("treatment"))
        .otherwise(pl.lit("control"))
        .alias("variant"),
    )


def _added_lines(
    orders: pl.DataFrame, lines: pl.DataFrame, users: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """Extra reordered lines for the post-period prior orders of treated users."""
    treated = users.filter(pl.col("treated")).select("user_id", "assigned_at_order", "segment")
    user_orders = orders.filter(pl.col("eval_set") == "prior").join(treated, on="user_id")
    post = user_orders.filter(pl.col("order_number") > pl.col("assigned_at_order")).sort("order_id")
    pre_ids = user_orders.filter(pl.col("order_number") <= pl.col("assigned_at_order"))
    repertoire = (
        lines.join(pre_ids.select("order_id", "user_id"), on="order_id")
        .select("user_id", "product_id")
        .unique()
        .sort("user_id", "product_id")
    )
    post_lines = lines.join(post.select("order_id"), on="order_id")
    basket_size = post_lines.group_by("order_id").agg(pl.len().alias("basket_size"))
    tau = post["segment"].replace_strict(PLANTED_ITEMS_EFFECT, return_dtype=pl.Float64)
    wanted = post.select("order_id", "user_id").with_columns(
        n_extra=pl.Series(rng.poisson(tau.to_numpy()), dtype=pl.Int64)
    )
    # Every (order, pre-period product not already in the basket) is a candidate; a seeded
    # random key ranks the candidates within the order and the first n_extra are added.
    candidates = (
        wanted.filter(pl.col("n_extra") > 0)
        .join(repertoire, on="user_id")
        .join(
            post_lines.select("order_id", "product_id"), on=["order_id", "product_id"], how="anti"
        )
        .sort("order_id", "product_id")
    )
    candidates = candidates.with_columns(
        random_key=pl.Series(rng.random(candidates.height))
    ).with_columns(pick=pl.col("random_key").rank("ordinal").over("order_id"))
    return (
        candidates.filter(pl.col("pick") <= pl.col("n_extra"))
        .join(basket_size, on="order_id", how="left")
        .with_columns(pl.col("basket_size").fill_null(0))
        .sort("order_id", "pick")
        .select(
            "order_id",
            "product_id",
            (pl.col("basket_size") + pl.col("pick")).alias("add_to_cart_order"),
            pl.lit(1).alias("reordered"),
        )
        .cast(LINE_SCHEMA)
    )


def _post_outcomes(
    orders: pl.DataFrame, lines: pl.DataFrame, assignments: pl.DataFrame
) -> pl.DataFrame:
    """Per-user post-period items per order and reorder rate (prior orders after k)."""
    post = (
        orders.filter(pl.col("eval_set") == "prior")
        .join(assignments.select("user_id", "assigned_at_order"), on="user_id")
        .filter(pl.col("order_number") > pl.col("assigned_at_order"))
    )
    per_order = lines.group_by("order_id").agg(
        pl.len().alias("items"), pl.col("reordered").cast(pl.Int64).sum().alias("reordered")
    )
    return (
        post.join(per_order, on="order_id", how="left")
        .group_by("user_id")
        .agg(
            pl.len().alias("post_orders"),
            pl.col("items").fill_null(0).sum().alias("post_items"),
            pl.col("reordered").fill_null(0).sum().alias("post_reordered"),
        )
        .with_columns(
            (pl.col("post_items") / pl.col("post_orders")).alias("items_per_order"),
            (pl.col("post_reordered") / pl.col("post_items")).alias("reorder_rate"),
        )
    )


def plant_campaign(orders: pl.DataFrame, lines: pl.DataFrame, seed: int) -> Campaign:
    """Choose eligible users, assign treatment, and draw the extra post-period lines."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(9_001,))))
    eligible = _assign(_eligible_users(orders, lines, rng), rng)
    return Campaign(eligible, _added_lines(orders, lines, eligible, rng))


def truth_summary(
    assignments: pl.DataFrame, before: pl.DataFrame, after: pl.DataFrame
) -> tuple[dict, pl.DataFrame]:
    """Planted and realised effects: overall (ATT, ATE) and per segment."""
    paired = (
        assignments.join(before, on="user_id", suffix="")
        .join(
            after.select("user_id", "items_per_order", "reorder_rate"),
            on="user_id",
            suffix="_treated",
        )
        .with_columns(
            (pl.col("items_per_order_treated") - pl.col("items_per_order")).alias("d_items"),
            (pl.col("reorder_rate_treated") - pl.col("reorder_rate")).alias("d_reorder"),
            pl.col("segment")
            .replace_strict(PLANTED_ITEMS_EFFECT, return_dtype=pl.Float64)
            .alias("tau"),
        )
    )
    treated = paired.filter(pl.col("treated"))
    segments = (
        paired.group_by("segment")
        .agg(
            pl.col("tau").first().alias("planted_items_per_order_effect"),
            pl.col("treated").sum().alias("n_treatment"),
            (~pl.col("treated")).sum().alias("n_control"),
            pl.col("d_items")
            .filter(pl.col("treated"))
            .mean()
            .alias("realised_att_items_per_order"),
            pl.col("d_reorder").filter(pl.col("treated")).mean().alias("realised_att_reorder_rate"),
        )
        .sort("planted_items_per_order_effect", descending=True)
    )
    summary = {
        "experiment": EXPERIMENT,
        "assignments_file": ASSIGNMENTS_FILE,
        "eligible_users": assignments.height,
        "n_treatment": treated.height,
        "n_control": assignments.height - treated.height,
        "planted_items_per_order_effect": PLANTED_ITEMS_EFFECT,
        "targeting": {
            "intercept": TARGETING_INTERCEPT,
            "segment_offset": TARGETING_SEGMENT,
            "pre_items_per_order_z_slope": TARGETING_ITEMS_SLOPE,
        },
        "true_att": {
            "items_per_order": float(treated["d_items"].mean()),
            "reorder_rate": float(treated["d_reorder"].mean()),
            "orders_within_30d": 0.0,
        },
        "true_ate_items_per_order": float(paired["tau"].mean()),
        "largest_effect_segment": max(PLANTED_ITEMS_EFFECT, key=PLANTED_ITEMS_EFFECT.get),
        "notes": (
            "Outcomes are measured over the prior orders after assigned_at_order. true_att is "
            "the realised mean (treated outcome - same user's outcome without the campaign) "
            "over treated users; the campaign does not touch order timing, so the true effect "
            "on orders_within_30d is 0. true_ate_items_per_order is the planted mean over all "
            "eligible users."
        ),
    }
    return summary, segments


def add_campaign(data_dir: str | Path, seed: int) -> Path:
    """Plant the campaign into a generated data dir; returns the assignments file path."""
    out = Path(data_dir)
    orders = pl.read_csv(out / "orders.csv", schema=ORDER_SCHEMA)
    prior_path = out / "order_products__prior.csv"
    lines = pl.read_csv(prior_path, schema=LINE_SCHEMA)
    campaign = plant_campaign(orders, lines, seed)
    # stable sort keeps the generator's row order; appended lines sit after their order's cart
    new_lines = pl.concat([lines, campaign.added_lines]).sort(
        "order_id", "add_to_cart_order", maintain_order=True
    )
    before = _post_outcomes(orders, lines, campaign.assignments)
    after = _post_outcomes(orders, new_lines, campaign.assignments)
    writer.write_csv(new_lines, prior_path)
    assignments_path = out / ASSIGNMENTS_FILE
    writer.write_csv(
        campaign.assignments.select("user_id", "experiment", "variant", "assigned_at_order"),
        assignments_path,
    )
    summary, segments = truth_summary(campaign.assignments, before, after)
    summary["added_lines"] = campaign.added_lines.height
    (out / "truth").mkdir(exist_ok=True)
    (out / "truth" / "campaign.json").write_text(json.dumps(summary, indent=2) + "\n")
    writer.write_csv(segments, out / "truth" / "campaign_segments.csv")
    return assignments_path
