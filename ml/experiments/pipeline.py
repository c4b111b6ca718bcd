"""Table builders behind the dbt Python models (python_models/experiments).

Input: mart_experiment_user_outcomes (a DuckDB relation from dbt.ref, or an arrow/polars
frame in tests). Outputs: pyarrow tables with fixed schemas, empty when there is no
assignment (the mart is empty), so the project builds without an assignment file.
ml_experiment_metrics is built by ml.experiments.metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from ml.experiments.bayes import beta_binomial_readout
from ml.experiments.estimates import Estimate, cuped, difference_in_means
from ml.experiments.frame import (
    COVARIATES,
    OUTCOMES,
    SEGMENTS,
    covariate_matrix,
    with_covariates,
)
from ml.experiments.matching import (
    DEFAULT_CALIPER_SD,
    Matches,
    balance_rows,
    caliper_match,
    logit,
    matched_att,
    propensity_scores,
)
from ml.experiments.uplift import qini_coefficient, qini_curve, t_learner_uplift
from ml.reorder.pipeline import to_polars

RESULTS_SCHEMA = pa.schema(
    [
        ("experiment", pa.string()),
        ("outcome", pa.string()),
        ("analysis", pa.string()),
        ("segment", pa.string()),
        ("estimate", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("std_error", pa.float64()),
        ("n_treatment", pa.int64()),
        ("n_control", pa.int64()),
        ("treatment_mean", pa.float64()),
        ("control_mean", pa.float64()),
        ("prob_treatment_better", pa.float64()),
        ("expected_loss_treatment", pa.float64()),
        ("expected_loss_control", pa.float64()),
    ]
)
BALANCE_SCHEMA = pa.schema(
    [
        ("experiment", pa.string()),
        ("covariate", pa.string()),
        ("mean_treatment_before", pa.float64()),
        ("mean_control_before", pa.float64()),
        ("smd_before", pa.float64()),
        ("mean_treatment_after", pa.float64()),
        ("mean_control_after", pa.float64()),
        ("smd_after", pa.float64()),
        ("n_treatment_matched", pa.int64()),
        ("n_treatment_unmatched", pa.int64()),
        ("caliper", pa.float64()),
    ]
)
UPLIFT_SCHEMA = pa.schema(
    [
        ("experiment", pa.string()),
        ("outcome", pa.string()),
        ("level", pa.string()),
        ("segment", pa.string()),
        ("fraction", pa.float64()),
        ("n_users", pa.int64()),
        ("n_treatment", pa.int64()),
        ("n_control", pa.int64()),
        ("predicted_uplift", pa.float64()),
        ("observed_uplift", pa.float64()),
        ("uplift_rank", pa.int64()),
        ("qini", pa.float64()),
        ("random_qini", pa.float64()),
        ("qini_coefficient", pa.float64()),
        ("users_modelled", pa.int64()),
    ]
)
# The T-learner trains on at most this many users per experiment (sampled with a fixed seed).
DEFAULT_UPLIFT_MAX_USERS = 60_000


def table_from_rows(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    if not rows:
        return schema.empty_table()
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in schema.names} for row in rows], schema=schema
    )


def _experiments(outcomes: Any) -> list[tuple[str, pl.DataFrame]]:
    users = to_polars(outcomes)
    if users.height == 0:
        return []
    users = with_covariates(users).sort("experiment", "user_id")
    return [
        (str(key[0]), frame) for key, frame in users.group_by("experiment", maintain_order=True)
    ]


def _estimate_row(experiment: str, outcome: str, analysis: str, segment: str, e: Estimate):
    return {
        "experiment": experiment,
        "outcome": outcome,
        "analysis": analysis,
        "segment": segment,
        "estimate": e.estimate,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
        "std_error": e.std_error,
        "n_treatment": e.n_treatment,
        "n_control": e.n_control,
        "treatment_mean": e.treatment_mean,
        "control_mean": e.control_mean,
    }


def _matching(users: pl.DataFrame) -> tuple[np.ndarray, Matches]:
    """Propensity (logistic on the pre-period covariates) and caliper matches on its logit,
    exact on the segment."""
    treated = users["is_treatment"].to_numpy() == 1
    score = logit(propensity_scores(covariate_matrix(users), treated))
    caliper = DEFAULT_CALIPER_SD * float(np.std(score, ddof=1)) if score.size > 1 else 0.0
    return score, caliper_match(score, treated, caliper, users["segment"].to_numpy())


def _outcome_view(users: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """Users with a defined outcome (items per order and reorder rate need post orders)."""
    return users.filter(pl.col(outcome).is_not_null() & pl.col(outcome).is_not_nan())


def results_table(outcomes: Any) -> pa.Table:
    """ml_experiment_results: every analysis x outcome x segment ('all' = overall)."""
    rows: list[dict[str, Any]] = []
    for experiment, all_users in _experiments(outcomes):
        for outcome, pre_column in OUTCOMES.items():
            users = _outcome_view(all_users, outcome)
            if users.height < 4:
                continue
            y = users[outcome].cast(pl.Float64).to_numpy()
            treated = users["is_treatment"].to_numpy() == 1
            segment = users["segment"].to_numpy()
            rows.append(
                _estimate_row(
                    experiment,
                    outcome,
                    "difference_in_means",
                    "all",
                    difference_in_means(y, treated),
                )
            )
            cuped_estimate, _ = cuped(y, users[pre_column].to_numpy(), treated)
            rows.append(_estimate_row(experiment, outcome, "cuped", "all", cuped_estimate))
            _, matches = _matching(users)
            rows.append(
                _estimate_row(experiment, outcome, "psm_att", "all", matched_att(y, matches))
            )
            for name in SEGMENTS:
                in_segment = segment == name
                if not in_segment.any():
                    continue
                rows.append(
                    _estimate_row(
                        experiment,
                        outcome,
                        "difference_in_means",
                        name,
                        difference_in_means(y[in_segment], treated[in_segment]),
                    )
                )
                keep = in_segment[matches.treated_index]
                segment_matches = Matches(
                    matches.treated_index[keep], matches.control_index[keep], matches.caliper, 0
                )
                rows.append(
                    _estimate_row(
                        experiment, outcome, "psm_att", name, matched_att(y, segment_matches)
                    )
                )
        rows.extend(_bayes_rows(experiment, all_users))
    return table_from_rows(rows, RESULTS_SCHEMA)


def _bayes_rows(experiment: str, all_users: pl.DataFrame) -> list[dict[str, Any]]:
    """Beta-Binomial on pooled post-period lines (reordered out of all), per arm.

    bayes_beta_binomial compares all treated with all controls (what a randomised test would
    read; biased under targeting); bayes_beta_binomial_matched uses the PSM pairs (matched
    treated vs their controls, a control counted as often as it is used).
    """
    users = _outcome_view(all_users, "reorder_rate")
    treated = users["is_treatment"].to_numpy() == 1
    if treated.all() or not treated.any():
        return []
    reordered = users["post_reordered_lines"].to_numpy().astype(np.int64)
    lines = users["post_items"].to_numpy().astype(np.int64)
    _, matches = _matching(users)
    arms = {
        "bayes_beta_binomial": (np.flatnonzero(treated), np.flatnonzero(~treated)),
        "bayes_beta_binomial_matched": (matches.treated_index, matches.control_index),
    }
    rows = []
    for analysis, (t_idx, c_idx) in arms.items():
        if t_idx.size == 0:
            continue
        readout = beta_binomial_readout(
            int(reordered[t_idx].sum()),
            int(lines[t_idx].sum()),
            int(reordered[c_idx].sum()),
            int(lines[c_idx].sum()),
        )
        rows.append(
            {
                "experiment": experiment,
                "outcome": "reorder_rate",
                "analysis": analysis,
                "segment": "all",
                "estimate": readout.mean_difference,
                "ci_low": readout.ci_low,
                "ci_high": readout.ci_high,
                "n_treatment": int(t_idx.size),
                "n_control": int(np.unique(c_idx).size),
                "treatment_mean": readout.alpha_treatment
                / (readout.alpha_treatment + readout.beta_treatment),
                "control_mean": readout.alpha_control
                / (readout.alpha_control + readout.beta_control),
                "prob_treatment_better": readout.prob_treatment_better,
                "expected_loss_treatment": readout.expected_loss_treatment,
                "expected_loss_control": readout.expected_loss_control,
            }
        )
    return rows


def balance_table(outcomes: Any) -> pa.Table:
    """ml_experiment_balance: SMD of every covariate (and the logit propensity) before/after."""
    rows: list[dict[str, Any]] = []
    for experiment, users in _experiments(outcomes):
        treated = users["is_treatment"].to_numpy() == 1
        if treated.all() or not treated.any():
            continue
        score, matches = _matching(users)
        matrix = np.column_stack([covariate_matrix(users), score])
        for row in balance_rows(matrix, (*COVARIATES, "propensity_logit"), treated, matches):
            rows.append(
                {
                    "experiment": experiment,
                    **row,
                    "n_treatment_matched": int(matches.treated_index.size),
                    "n_treatment_unmatched": matches.unmatched_treated,
                    "caliper": matches.caliper,
                }
            )
    return table_from_rows(rows, BALANCE_SCHEMA)


def uplift_table(
    outcomes: Any, max_users: int = DEFAULT_UPLIFT_MAX_USERS, seed: int = 42
) -> pa.Table:
    """ml_experiment_uplift: T-learner uplift per segment (ranked) and the Qini curve."""
    rows: list[dict[str, Any]] = []
    for experiment, all_users in _experiments(outcomes):
        for outcome in OUTCOMES:
            users = _outcome_view(all_users, outcome)
            if users.height > max_users:
                users = users.sample(n=max_users, seed=seed).sort("user_id")
            treated = users["is_treatment"].to_numpy() == 1
            if users.height < 20 or treated.all() or not treated.any():
                continue
            y = users[outcome].cast(pl.Float64).to_numpy()
            cate = t_learner_uplift(covariate_matrix(users), y, treated, seed=seed)
            rows.extend(_segment_uplift_rows(experiment, outcome, users, y, treated, cate))
            curve = qini_curve(cate, y, treated)
            coefficient = qini_coefficient(curve, int(treated.sum()))
            for point in curve:
                rows.append(
                    {
                        "experiment": experiment,
                        "outcome": outcome,
                        "level": "qini",
                        "segment": "all",
                        "fraction": point["fraction"],
                        "n_users": point["n_treatment"] + point["n_control"],
                        "n_treatment": point["n_treatment"],
                        "n_control": point["n_control"],
                        "observed_uplift": point["uplift"],
                        "qini": point["qini"],
                        "random_qini": point["random_qini"],
                        "qini_coefficient": coefficient,
                        "users_modelled": users.height,
                    }
                )
    return table_from_rows(rows, UPLIFT_SCHEMA)


def _segment_uplift_rows(
    experiment: str,
    outcome: str,
    users: pl.DataFrame,
    y: np.ndarray,
    treated: np.ndarray,
    cate: np.ndarray,
) -> list[dict[str, Any]]:
    segment = users["segment"].to_numpy()
    rows = []
    for name in SEGMENTS:
        mask = segment == name
        if not mask.any():
            continue
        naive = difference_in_means(y[mask], treated[mask])
        rows.append(
            {
                "experiment": experiment,
                "outcome": outcome,
                "level": "segment",
                "segment": name,
                "n_users": int(mask.sum()),
                "n_treatment": naive.n_treatment,
                "n_control": naive.n_control,
                "predicted_uplift": float(cate[mask].mean()),
                "observed_uplift": naive.estimate,
                "users_modelled": users.height,
            }
        )
    ranked = sorted(rows, key=lambda r: -r["predicted_uplift"])
    for rank, row in enumerate(ranked, start=1):
        row["uplift_rank"] = rank
    return rows
