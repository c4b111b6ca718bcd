"""Difference in means and CUPED, with normal-approximation 95% confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A treatment-minus-control estimate with its 95% interval and group sizes."""

    estimate: float
    std_error: float
    n_treatment: int
    n_control: int
    treatment_mean: float
    control_mean: float

    @property
    def ci_low(self) -> float:
        return self.estimate - Z_95 * self.std_error

    @property
    def ci_high(self) -> float:
        return self.estimate + Z_95 * self.std_error


def _var(values: np.ndarray) -> float:
    return float(np.var(values, ddof=1)) if values.size > 1 else float("nan")


def difference_in_means(outcome: np.ndarray, treated: np.ndarray) -> Estimate:
    """mean(treatment) - mean(control) with Welch's (unequal variance) standard error."""
    y_t, y_c = outcome[treated], outcome[~treated]
    if y_t.size == 0 or y_c.size == 0:
        nan = float("nan")
        return Estimate(nan, nan, int(y_t.size), int(y_c.size), nan, nan)
    se = float(np.sqrt(_var(y_t) / y_t.size + _var(y_c) / y_c.size))
    return Estimate(
        float(y_t.mean() - y_c.mean()),
        se,
        int(y_t.size),
        int(y_c.size),
        float(y_t.mean()),
        float(y_c.mean()),
    )


def cuped_theta(outcome: np.ndarray, pre_period: np.ndarray) -> float:
    """theta = cov(Y, X) / var(X) over all users (Deng et al. 2013)."""
    var_x = float(np.var(pre_period, ddof=1)) if pre_period.size > 1 else 0.0
    if var_x == 0.0:
        return 0.0
    return float(np.cov(outcome, pre_period, ddof=1)[0, 1] / var_x)


def cuped(
    outcome: np.ndarray, pre_period: np.ndarray, treated: np.ndarray
) -> tuple[Estimate, float]:
    """Difference in means of Y - theta (X - mean X); also returns the variance reduction.

    The variance reduction is 1 - (se_cuped / se_naive)^2: how much of the naive estimate's
    sampling variance the pre-period covariate removes.
    """
    theta = cuped_theta(outcome, pre_period)
    adjusted = difference_in_means(outcome - theta * (pre_period - pre_period.mean()), treated)
    naive_se = difference_in_means(outcome, treated).std_error
    reduction = 1.0 - (adjusted.std_error / naive_se) ** 2 if naive_se > 0 else float("nan")
    return adjusted, reduction
