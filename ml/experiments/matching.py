"""Propensity-score matching: logistic propensity, caliper matching, ATT and balance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from ml.experiments.estimates import Estimate

# Caliper of 0.2 standard deviations of the logit propensity (Austin 2011).
DEFAULT_CALIPER_SD = 0.2


@dataclass(frozen=True)
class Matches:
    """Matched pairs (indices into the input arrays); controls may repeat (with replacement)."""

    treated_index: np.ndarray
    control_index: np.ndarray
    caliper: float
    unmatched_treated: int


def propensity_scores(covariates: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """P(treatment | covariates) from a logistic regression on standardised covariates."""
    scaled = StandardScaler().fit_transform(covariates)
    model = LogisticRegression(max_iter=1000)
    model.fit(scaled, treated.astype(int))
    return model.predict_proba(scaled)[:, 1]


def logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


def caliper_match(
    score: np.ndarray, treated: np.ndarray, caliper: float, strata: np.ndarray | None = None
) -> Matches:
    """1:1 nearest-neighbour matching of every treated unit on `score`, with replacement.

    With `strata`, a treated unit is only matched to controls of its own stratum (exact
    matching on the segment, so per-segment effects compare like with like). A treated unit
    whose nearest control is farther than `caliper` stays unmatched. Ties go to the control
    with the lower score (then the lower index): deterministic.
    """
    if strata is None:
        return _match_within(score, treated, caliper, np.arange(score.size))
    parts = [
        _match_within(score, treated, caliper, np.flatnonzero(strata == value))
        for value in np.unique(strata)
    ]
    order = np.argsort(np.concatenate([p.treated_index for p in parts]), kind="stable")
    return Matches(
        np.concatenate([p.treated_index for p in parts])[order],
        np.concatenate([p.control_index for p in parts])[order],
        caliper,
        sum(p.unmatched_treated for p in parts),
    )


def _match_within(
    score: np.ndarray, treated: np.ndarray, caliper: float, members: np.ndarray
) -> Matches:
    """caliper_match restricted to the units `members` (indices into the full arrays)."""
    t_idx = members[treated[members]]
    c_idx = members[~treated[members]]
    if t_idx.size == 0 or c_idx.size == 0:
        empty = np.array([], dtype=np.int64)
        return Matches(empty, empty, caliper, int(t_idx.size))
    order = np.lexsort((c_idx, score[c_idx]))
    c_sorted, s_sorted = c_idx[order], score[c_idx][order]
    pos = np.searchsorted(s_sorted, score[t_idx])
    left = np.clip(pos - 1, 0, s_sorted.size - 1)
    right = np.clip(pos, 0, s_sorted.size - 1)
    d_left = np.abs(score[t_idx] - s_sorted[left])
    d_right = np.abs(s_sorted[right] - score[t_idx])
    nearest = np.where(d_right < d_left, right, left)
    distance = np.minimum(d_left, d_right)
    keep = distance <= caliper
    return Matches(t_idx[keep], c_sorted[nearest[keep]], caliper, int((~keep).sum()))


def matched_att(outcome: np.ndarray, matches: Matches) -> Estimate:
    """ATT = mean over matched treated of (Y_t - Y_matched control).

    Variance: with outcome variance sigma^2 estimated as var(pair difference) / 2, the mean of
    the pairs has variance sigma^2 (n + sum_c w_c^2) / n^2, where w_c counts how often control
    c is used: reuse of a control (matching with replacement) widens the interval.
    """
    n = matches.treated_index.size
    if n < 2:
        nan = float("nan")
        return Estimate(nan, nan, int(n), 0, nan, nan)
    y_t = outcome[matches.treated_index]
    y_c = outcome[matches.control_index]
    diff = y_t - y_c
    sigma2 = float(np.var(diff, ddof=1)) / 2.0
    weights = np.unique(matches.control_index, return_counts=True)[1]
    se = float(np.sqrt(sigma2 * (n + float(np.sum(weights.astype(float) ** 2))) / n**2))
    return Estimate(
        float(diff.mean()), se, int(n), int(weights.size), float(y_t.mean()), float(y_c.mean())
    )


def standardised_mean_difference(
    x_treated: np.ndarray, x_control: np.ndarray, pooled_sd: float
) -> float:
    """(mean_t - mean_c) / pooled_sd (0 when the pooled sd is 0)."""
    if pooled_sd == 0 or not np.isfinite(pooled_sd):
        return 0.0
    return float((x_treated.mean() - x_control.mean()) / pooled_sd)


def balance_rows(
    covariates: np.ndarray, names: tuple[str, ...], treated: np.ndarray, matches: Matches
) -> list[dict[str, float | str]]:
    """SMD of each covariate before (all users) and after matching (matched pairs).

    Both use the pre-matching pooled sd sqrt((var_t + var_c) / 2) as denominator, so the
    change shows the matching, not a changed scale.
    """
    rows = []
    for j, name in enumerate(names):
        x = covariates[:, j]
        x_t, x_c = x[treated], x[~treated]
        pooled = float(np.sqrt((np.var(x_t, ddof=1) + np.var(x_c, ddof=1)) / 2.0))
        m_t, m_c = x[matches.treated_index], x[matches.control_index]
        rows.append(
            {
                "covariate": name,
                "mean_treatment_before": float(x_t.mean()),
                "mean_control_before": float(x_c.mean()),
                "smd_before": standardised_mean_difference(x_t, x_c, pooled),
                "mean_treatment_after": float(m_t.mean()) if m_t.size else float("nan"),
                "mean_control_after": float(m_c.mean()) if m_c.size else float("nan"),
                "smd_after": standardised_mean_difference(m_t, m_c, pooled)
                if m_t.size
                else float("nan"),
            }
        )
    return rows
