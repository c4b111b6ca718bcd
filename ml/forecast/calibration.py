"""One factor per horizon that calibrates expected units on users outside the backtest.

The reorder model scores the final order with that order's own gap as a feature, so its
probabilities are conditional on the gap that actually happened: a user whose final order came
after 25 days is scored for a 25-day basket, not for the smaller basket of an order within 7
days, and frequent shoppers' gap histories overstate how soon their next order comes. Both
make P_u(h) x sum_j p_uj overshoot (at scale 1 by 13% at 7 days). The factor

    c(h) = sum_u 1[e <= G_u <= e + h] r_u / sum_u P_u(h) r_u

over calibration users (final order 'train', not held out, final gap >= e), with r_u the
reordered lines of their final order (what the calibrated reorder probabilities sum to in
expectation), removes that overshoot in aggregate. It never sees the backtest's users.
"""

from __future__ import annotations

import polars as pl


def units_calibration(
    probabilities: pl.DataFrame,
    final_orders: pl.DataFrame,
    held_out_users: pl.Series,
) -> pl.DataFrame:
    """(horizon_days, units_calibration) from calibration users' final orders.

    probabilities: user_id, horizon_days, elapsed_days, order_probability
    final_orders:  user_id, final_gap, reordered_lines (users whose final order has lines)
    """
    users = final_orders.with_columns(pl.col("user_id").cast(pl.Int64)).join(
        pl.DataFrame({"user_id": held_out_users.cast(pl.Int64)}), on="user_id", how="anti"
    )
    joined = probabilities.join(users, on="user_id").filter(
        pl.col("final_gap") >= pl.col("elapsed_days")
    )
    within = pl.col("final_gap") <= pl.col("elapsed_days") + pl.col("horizon_days")
    factors = joined.group_by("horizon_days").agg(
        (
            (within.cast(pl.Float64) * pl.col("reordered_lines")).sum()
            / (pl.col("order_probability") * pl.col("reordered_lines")).sum()
        ).alias("units_calibration")
    )
    horizons = probabilities.select("horizon_days").unique()
    # no calibration users (tiny data): leave the forecast as it is
    return (
        horizons.join(factors, on="horizon_days", how="left")
        .with_columns(pl.col("units_calibration").fill_nan(1.0).fill_null(1.0))
        .sort("horizon_days")
    )
