"""Demand forecasting on each user's own clock (no calendar dates exist in the data).

Forecast origin: each user's last prior order. From there the next order is the user's final
order (train or test), which is exactly the order the reorder model scores, so
"P(the next order falls within h days) x P(product reordered in that order)" is the expected
reordered units of the product within h days. The backtest uses the same origin and reveals
the final order's gap and lines.

* gaps     - gap-history survival model with shrinkage to the population, conditional on the
             days already elapsed since the origin
* accuracy - WAPE and bias of a forecast against actuals
* backtest - expected vs actual reordered units of the validation users, model vs naive
* pipeline - the tables the dbt Python models write
"""

# Forecast horizons in days after the origin; mart_demand_forecast documents the same pair.
HORIZONS: tuple[int, ...] = (7, 14)
