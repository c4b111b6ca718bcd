"""ml.experiments on toy inputs with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from ml.experiments.bayes import beta_binomial_readout, beta_posterior
from ml.experiments.estimates import cuped, difference_in_means
from ml.experiments.matching import Matches, balance_rows, caliper_match, matched_att
from ml.experiments.metrics import METRICS_SCHEMA, metrics_table
from ml.experiments.pipeline import (
    BALANCE_SCHEMA,
    RESULTS_SCHEMA,
    UPLIFT_SCHEMA,
    balance_table,
    results_table,
    uplift_table,
)
from ml.experiments.uplift import qini_coefficient, qini_curve

# toy set: treated scores 0.10, 0.50, 0.90; controls 0.12, 0.45, 0.60, 2.00
SCORE = np.array([0.10, 0.12, 0.50, 0.45, 0.60, 0.90, 2.00])
TREATED = np.array([True, False, True, False, False, True, False])


def test_caliper_match_pairs_nearest_control_and_drops_far_treated() -> None:
    matches = caliper_match(SCORE, TREATED, caliper=0.1)
    # 0.10 -> 0.12 (0.02); 0.50 -> 0.45 (0.05, not 0.60 at 0.10); 0.90: nearest 0.60 is 0.30 away
    assert matches.treated_index.tolist() == [0, 2]
    assert matches.control_index.tolist() == [1, 3]
    assert matches.unmatched_treated == 1


def test_caliper_match_reuses_controls_and_respects_strata() -> None:
    wide = caliper_match(SCORE, TREATED, caliper=1.0)
    assert wide.control_index.tolist() == [1, 3, 4]  # 0.90 -> 0.60 within a wide caliper
    strata = np.array(["a", "a", "b", "a", "b", "b", "b"])
    by_stratum = caliper_match(SCORE, TREATED, caliper=1.0, strata=strata)
    # 0.50 (stratum b) may only use b controls 0.60 / 2.00 -> 0.60; 0.90 -> 0.60 again
    assert by_stratum.treated_index.tolist() == [0, 2, 5]
    assert by_stratum.control_index.tolist() == [1, 4, 4]


def test_matched_att_mean_and_variance_with_reused_control() -> None:
    y = np.array([5.0, 3.0, 8.0, 0.0, 4.0, 10.0, 0.0])
    matches = Matches(np.array([0, 2, 5]), np.array([1, 4, 4]), 1.0, 0)
    att = matched_att(y, matches)
    # pair differences 2, 4, 6: mean 4, var 4 -> sigma^2 = 2; weights (1, 2): 3 + 1 + 4 = 8
    assert att.estimate == pytest.approx(4.0)
    assert att.std_error == pytest.approx(math.sqrt(2 * 8 / 9))
    assert (att.n_treatment, att.n_control) == (3, 2)


def test_difference_in_means_welch_interval() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    treated = np.array([True, True, True, False, False, False])
    e = difference_in_means(y, treated)
    assert e.estimate == pytest.approx(-3.0)
    assert e.std_error == pytest.approx(math.sqrt(1 / 3 + 1 / 3))
    assert e.ci_low == pytest.approx(-3.0 - 1.959964 * math.sqrt(2 / 3), abs=1e-5)


def test_cuped_removes_pre_period_variance() -> None:
    x = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0])
    treated = np.array([True, True, True, False, False, False])
    y = x + 2.0 * treated  # theta = 1 since x is balanced: adjusted = 2 t + 2
    e, reduction = cuped(y, x, treated)
    assert e.estimate == pytest.approx(2.0)
    assert e.std_error == pytest.approx(0.0, abs=1e-12)
    assert reduction == pytest.approx(1.0)


def test_beta_posterior_is_the_conjugate_update() -> None:
    assert beta_posterior(3, 10) == (4.0, 8.0)
    assert beta_posterior(0, 0, prior=(2.0, 5.0)) == (2.0, 5.0)
    with pytest.raises(ValueError):
        beta_posterior(4, 3)


def test_beta_binomial_readout_matches_closed_form() -> None:
    # treatment Beta(2, 1) (density 2p), control Beta(1, 1) (uniform):
    # P(p_t > p_c) = int 2p * p dp = 2/3; E[max(p_c - p_t, 0)] = int p (1 - p)^2 dp = 1/12;
    # E[max(p_t - p_c, 0)] = int 2p * p^2 / 2 dp = 1/4
    r = beta_binomial_readout(1, 1, 0, 0, draws=400_000, seed=1)
    assert (r.alpha_treatment, r.beta_treatment) == (2.0, 1.0)
    assert r.prob_treatment_better == pytest.approx(2 / 3, abs=0.005)
    assert r.expected_loss_treatment == pytest.approx(1 / 12, abs=0.002)
    assert r.expected_loss_control == pytest.approx(1 / 4, abs=0.002)
    assert r.mean_difference == pytest.approx(2 / 3 - 1 / 2)


def test_qini_curve_by_hand() -> None:
    uplift = np.array([0.9, 0.8, 0.2, 0.1])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    treated = np.array([True, False, True, False])
    curve = qini_curve(uplift, y, treated, points=2)
    # top half: 1 treated (y 1), 1 control (y 0) -> qini 1; all: Y_t 1, Y_c 1 -> qini 0
    assert [row["qini"] for row in curve] == [1.0, 0.0]
    assert [row["random_qini"] for row in curve] == [0.0, 0.0]
    assert qini_coefficient(curve, n_treatment=2) == pytest.approx(0.25)


def test_balance_rows_smd_before_and_after() -> None:
    x = np.array([[1.0], [0.0], [3.0], [2.0], [5.0], [10.0], [9.0]])
    matches = Matches(np.array([0, 2]), np.array([1, 3]), 0.1, 0)
    (row,) = balance_rows(x, ("x",), TREATED, matches)
    x_t, x_c = np.array([1.0, 3.0, 10.0]), np.array([0.0, 2.0, 5.0, 9.0])
    pooled = math.sqrt((x_t.var(ddof=1) + x_c.var(ddof=1)) / 2)
    assert row["smd_before"] == pytest.approx((x_t.mean() - x_c.mean()) / pooled)
    assert row["smd_after"] == pytest.approx(1.0 / pooled)  # matched means 2 vs 1


def test_every_table_is_empty_without_assignments() -> None:
    empty = pl.DataFrame(schema={"experiment": pl.String, "user_id": pl.Int32})
    assert results_table(empty).schema == RESULTS_SCHEMA
    assert results_table(empty).num_rows == 0
    assert balance_table(empty).schema == BALANCE_SCHEMA
    assert uplift_table(empty).schema == UPLIFT_SCHEMA
    metrics = metrics_table(results_table(empty), uplift_table(empty), data_dir=None)
    assert metrics.schema == METRICS_SCHEMA
    assert metrics.num_rows == 0
