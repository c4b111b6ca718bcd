"""Demand forecast and load profile inside a real `dbt build` (conftest's session warehouses).

Figures are recomputed here from the warehouse's own tables by independent SQL; the claim the
issue asks for (the forecast beats the naive one on department WAPE) is checked on synthetic
data, where 600 validation users make it meaningful (the real sample has 22).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, query

pytestmark = pytest.mark.slow


def forecast_metrics(warehouse: Path) -> dict[tuple[str, str], float]:
    rows = query(
        warehouse,
        "select model, metric, value from ml.ml_model_metrics "
        "where model in ('demand_forecast', 'baseline_recent_share') and split = 'validation'",
    )
    return {(model, metric): value for model, metric, value in rows}


def assert_forecast_tables(warehouse: Path) -> None:
    # every level x horizon present, and the three levels add up to the same units
    totals = query(
        warehouse,
        "select horizon_days, level, sum(expected_units), count(*) "
        "from forecast.mart_demand_forecast group by all order by all",
    )
    assert {(h, level) for h, level, _, _ in totals} == {
        (h, level) for h in (7, 14) for level in ("aisle", "department", "product")
    }
    for horizon in (7, 14):
        units = [u for h, _, u, _ in totals if h == horizon]
        assert max(units) == pytest.approx(min(units), rel=1e-9)
    # the mart equals an independent sum over the per-user tables (department level)
    (mismatch,) = query(
        warehouse,
        """
        with recomputed as (
            select d.department_id, o.horizon_days,
                   sum(o.order_probability * o.units_calibration * p.probability) as units
            from ml.ml_reorder_predictions p
            join core.dim_products d using (product_id)
            join ml.ml_forecast_order_probability o on o.user_id = p.user_id
            group by all
        )
        select max(abs(r.units - m.expected_units))
        from recomputed r
        join forecast.mart_demand_forecast m
          on m.level = 'department' and m.level_id = r.department_id
         and m.horizon_days = r.horizon_days
        """,
    )[0]
    assert mismatch < 1e-6
    # a longer horizon never forecasts less: per user and per item
    (shrinking_users,) = query(
        warehouse,
        "select count(*) from ml.ml_forecast_order_probability a "
        "join ml.ml_forecast_order_probability b using (user_id) "
        "where a.horizon_days = 7 and b.horizon_days = 14 "
        "and a.order_probability > b.order_probability",
    )[0]
    assert shrinking_users == 0
    # the load profile's seasonal model keeps the total and averages 1 over the week's cells
    (cells, observed, fitted, mean_index) = query(
        warehouse,
        "select count(*), sum(order_count), sum(fitted_order_count), avg(seasonal_index) "
        "from forecast.mart_order_load_profile",
    )[0]
    assert cells == 7 * 24
    assert fitted == pytest.approx(observed)
    assert mean_index == pytest.approx(1.0)


def test_synthetic_forecast_beats_naive(synthetic_warehouse: Path) -> None:
    assert_forecast_tables(synthetic_warehouse)
    metrics = forecast_metrics(synthetic_warehouse)
    for horizon in (7, 14):
        model = metrics[("demand_forecast", f"wape_department_{horizon}d")]
        naive = metrics[("baseline_recent_share", f"wape_department_{horizon}d")]
        assert model < naive, (horizon, model, naive)
        # the personal gap model times the order better than the population rate
        brier = f"order_probability_brier_{horizon}d"
        assert metrics[("demand_forecast", brier)] < metrics[("baseline_recent_share", brier)]
    # actual units recomputed from the order tables: reordered lines of the validation users'
    # final orders placed within 7 days of their last prior order
    (actual_7d,) = query(
        synthetic_warehouse,
        """
        select count(*)
        from core.fct_order_lines l
        join core.fct_orders o using (order_id)
        where o.is_final_order and o.days_since_prior_order <= 7 and l.reordered = 1
          and o.user_id in (
              select user_id from ml.ml_reorder_predictions where split = 'validation'
          )
        """,
    )[0]
    assert metrics[("demand_forecast", "actual_units_7d")] == actual_7d > 0
    # busiest fitted hours are daytime, as in the data (relative weekday codes 0 and 1 busiest)
    (peak_hour,) = query(
        synthetic_warehouse,
        "select order_hour_of_day from forecast.mart_order_load_profile "
        "order by seasonal_index desc limit 1",
    )[0]
    assert 9 <= peak_hour <= 17
    report = subprocess.run(
        [sys.executable, "-m", "ml.report", "--warehouse", str(synthetic_warehouse)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "demand forecast backtest" in report.stdout
    assert "baseline_recent_share" in report.stdout


def test_real_sample_forecast(sample_warehouse: Path) -> None:
    assert_forecast_tables(sample_warehouse)
    metrics = forecast_metrics(sample_warehouse)
    assert metrics[("demand_forecast", "users")] > 0
    assert metrics[("demand_forecast", "actual_units_14d")] > 0
