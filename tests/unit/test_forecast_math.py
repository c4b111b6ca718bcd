"""ml.forecast on toy histories whose answers are computed by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from ml.forecast.accuracy import bias, level_accuracy, wape
from ml.forecast.backtest import MODEL, NAIVE, BacktestInputs, run_backtest
from ml.forecast.gaps import (
    order_probabilities,
    population_order_probability,
    population_pmf,
    prior_gaps,
)

# User 1 gaps 7, 7, 14, 30; user 2 gap 3; user 3 none. Population (each user weighs 1):
# pi(3) = 1/2, pi(7) = 1/2 x 2/4 = 0.25, pi(14) = pi(30) = 1/2 x 1/4 = 0.125.
TOY_GAPS = pl.DataFrame(
    {"user_id": [1, 1, 1, 1, 2], "gap": [7, 7, 14, 30, 3]},
    schema={"user_id": pl.Int64, "gap": pl.Int32},
)


def probabilities(elapsed: int = 0, horizons: tuple[int, ...] = (7, 14)) -> dict:
    frame = order_probabilities(
        TOY_GAPS, pl.Series([1, 2, 3]), horizons, elapsed_days=elapsed, prior_strength=1.0
    )
    return {
        (u, h): p
        for u, h, p in frame.select("user_id", "horizon_days", "order_probability").iter_rows()
    }


def test_wape_and_bias_by_hand() -> None:
    # |10 - 8| + |0 - 2| + |5 - 5| = 4 over 15 actual units; totals equal, so no bias
    assert wape(np.array([10, 0, 5]), np.array([8, 2, 5])) == pytest.approx(4 / 15)
    assert bias(np.array([10, 0, 5]), np.array([8, 2, 5])) == pytest.approx(0.0)
    # (1 + 3) / 10 and (14 - 10) / 10
    assert wape(np.array([4, 6]), np.array([5, 9])) == pytest.approx(0.4)
    assert bias(np.array([4, 6]), np.array([5, 9])) == pytest.approx(0.4)
    assert math.isnan(wape(np.array([0, 0]), np.array([1, 1])))


def test_level_accuracy_counts_items_missing_on_either_side_as_zero() -> None:
    actual = pl.DataFrame({"product_id": [1, 2], "units": [4.0, 6.0]})
    forecast = pl.DataFrame({"product_id": [2, 3], "units": [9.0, 1.0]})
    # |4 - 0| + |6 - 9| + |0 - 1| = 8 over 10; forecast total 10 = actual total
    result = level_accuracy(actual, forecast, "product_id")
    assert result["wape"] == pytest.approx(0.8)
    assert result["bias"] == pytest.approx(0.0)


def test_population_pmf_and_probability() -> None:
    pmf = population_pmf(TOY_GAPS)
    assert pmf[[3, 7, 14, 30]] == pytest.approx([0.5, 0.25, 0.125, 0.125])
    assert pmf.sum() == pytest.approx(1.0)
    assert population_order_probability(pmf, 7, 0) == pytest.approx(0.75)
    # P(5 <= G <= 12 | G >= 5) = 0.25 / 0.5
    assert population_order_probability(pmf, 7, 5) == pytest.approx(0.5)


def test_gap_survival_probability_shrinks_to_population() -> None:
    p = probabilities()
    # user 1: (2 gaps <= 7 + 1 x 0.75) / (4 gaps + 1) and (3 + 0.875) / 5
    assert p[(1, 7)] == pytest.approx(2.75 / 5)
    assert p[(1, 14)] == pytest.approx(3.875 / 5)
    # user 2: (1 + 0.75) / (1 + 1) and (1 + 0.875) / 2
    assert p[(2, 7)] == pytest.approx(0.875)
    assert p[(2, 14)] == pytest.approx(0.9375)
    # user 3 has no gaps: the population's probability
    assert p[(3, 7)] == pytest.approx(0.75)
    assert p[(3, 14)] == pytest.approx(0.875)


def test_gap_survival_probability_conditions_on_elapsed_days() -> None:
    p = probabilities(elapsed=5, horizons=(7,))
    # user 1: window [5, 12] holds 2 gaps, 4 gaps are >= 5; pi[5, 12] = 0.25, pi[>= 5] = 0.5
    assert p[(1, 7)] == pytest.approx(2.25 / 4.5)
    # user 2's only gap (3) is before day 5: the population's conditional 0.25 / 0.5
    assert p[(2, 7)] == pytest.approx(0.5)


def test_windows_reaching_the_30_day_cap_are_refused() -> None:
    with pytest.raises(ValueError, match="censored"):
        order_probabilities(TOY_GAPS, pl.Series([1]), (14,), elapsed_days=16)
    with pytest.raises(ValueError, match="prior_strength"):
        order_probabilities(TOY_GAPS, pl.Series([1]), (7,), prior_strength=0)


def test_prior_gaps_skip_first_and_final_orders() -> None:
    orders = pl.DataFrame(
        {
            "user_id": [1, 1, 1, 1],
            "eval_set": ["prior", "prior", "prior", "train"],
            "days_since_prior_order": [None, 7.0, 30.0, 2.0],
        }
    )
    assert prior_gaps(orders).rows() == [(1, 7), (1, 30)]


def test_backtest_by_hand() -> None:
    # gaps: user 1 at 7, 7; user 2 at 20, 20; user 3 at 7, 20. Each user weighs 1, so
    # pi(7) = pi(20) = 0.5 and with k = 1: P_1(<= 7 days) = (2 + 0.5) / 3 = 5/6,
    # P_2 = (0 + 0.5) / 3 = 1/6, P_3 = (1 + 0.5) / 3 = 1/2. Validation users 1 and 2: user 1's
    # final order comes after 5 days (within 7), user 2's after 25. User 3 (not validated)
    # calibrates: final order after 4 days with 8 reordered lines, c(7) = 8 / (1/2 x 8) = 2
    # (with the validation users' final orders it would be 9 / 5: they must be left out).
    inputs = BacktestInputs(
        predictions=pl.DataFrame(
            {
                "user_id": [1, 2, 2],
                "product_id": [100, 100, 200],
                "probability": [0.6, 0.3, 0.5],
                "label": [1, 1, 0],
            }
        ),
        gaps=pl.DataFrame(
            {"user_id": [1, 1, 2, 2, 3, 3], "gap": [7, 7, 20, 20, 7, 20]},
            schema={"user_id": pl.Int64, "gap": pl.Int32},
        ),
        final_gaps=pl.DataFrame({"user_id": [1, 2], "final_gap": [5.0, 25.0]}),
        recent_lines=pl.DataFrame({"user_id": [1, 2, 2], "product_id": [100, 100, 200]}),
        products=pl.DataFrame(
            {"product_id": [100, 200], "aisle_id": [1, 2], "department_id": [9, 9]}
        ),
        final_orders=pl.DataFrame(
            {
                "user_id": [1, 2, 3],
                "final_gap": [5.0, 25.0, 4.0],
                "reordered_lines": [1.0, 1.0, 8.0],
            }
        ),
    )
    rows = run_backtest(inputs, (7,), prior_strength=1.0)
    got = {(r["model"], r["metric"]): r["value"] for r in rows}
    assert got[(MODEL, "units_calibration_7d")] == pytest.approx(2.0)
    # model units: product 100 = 2 x (5/6 x 0.6 + 1/6 x 0.3) = 1.1, product 200 = 2 x 1/6 x 0.5;
    # actual: product 100 = 1 (user 1, within 7 days), product 200 = 0
    assert got[(MODEL, "expected_units_7d")] == pytest.approx(1.1 + 1 / 6)
    assert got[(MODEL, "actual_units_7d")] == pytest.approx(1.0)
    assert got[(MODEL, "wape_product_7d")] == pytest.approx(0.1 + 1 / 6)
    assert got[(MODEL, "wape_department_7d")] == pytest.approx(0.1 + 1 / 6)
    assert got[(MODEL, "bias_department_7d")] == pytest.approx(0.1 + 1 / 6)
    # naive: population P = 0.5 x recent units (product 100 twice, 200 once) = 1.0 and 0.5
    assert got[(NAIVE, "wape_product_7d")] == pytest.approx(0.5)
    assert got[(NAIVE, "wape_department_7d")] == pytest.approx(0.5)
    assert got[(NAIVE, "bias_aisle_7d")] == pytest.approx(0.5)
    # Brier: model ((1/6)^2 + (1/6)^2) / 2 = 1/36, naive 0.5^2 = 0.25
    assert got[(MODEL, "order_probability_brier_7d")] == pytest.approx(1 / 36)
    assert got[(NAIVE, "order_probability_brier_7d")] == pytest.approx(0.25)
    assert got[(MODEL, "expected_orders_7d")] == pytest.approx(1.0)
    assert got[(NAIVE, "actual_orders_7d")] == pytest.approx(1.0)
    assert got[(MODEL, "users")] == 2
