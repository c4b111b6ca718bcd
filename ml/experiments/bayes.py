"""Bayesian Beta-Binomial read-out of a rate: P(treatment beats control) and expected loss."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BetaBinomialReadout:
    """Posteriors Beta(alpha, beta) of both arms and the decision quantities."""

    alpha_treatment: float
    beta_treatment: float
    alpha_control: float
    beta_control: float
    prob_treatment_better: float
    expected_loss_treatment: float  # E[max(p_c - p_t, 0)]: what choosing treatment may cost
    expected_loss_control: float  # E[max(p_t - p_c, 0)]
    mean_difference: float
    ci_low: float
    ci_high: float


def beta_posterior(successes: int, trials: int, prior: tuple[float, float] = (1.0, 1.0)):
    """Conjugate update: Beta(a + successes, b + trials - successes)."""
    if successes < 0 or trials < successes:
        raise ValueError("need 0 <= successes <= trials")
    return prior[0] + successes, prior[1] + trials - successes


def beta_binomial_readout(
    successes_treatment: int,
    trials_treatment: int,
    successes_control: int,
    trials_control: int,
    prior: tuple[float, float] = (1.0, 1.0),
    draws: int = 200_000,
    seed: int = 0,
) -> BetaBinomialReadout:
    """Monte Carlo (fixed seed) over the two independent Beta posteriors."""
    a_t, b_t = beta_posterior(successes_treatment, trials_treatment, prior)
    a_c, b_c = beta_posterior(successes_control, trials_control, prior)
    rng = np.random.default_rng(seed)
    p_t = rng.beta(a_t, b_t, draws)
    p_c = rng.beta(a_c, b_c, draws)
    diff = p_t - p_c
    low, high = np.quantile(diff, [0.025, 0.975])
    return BetaBinomialReadout(
        alpha_treatment=a_t,
        beta_treatment=b_t,
        alpha_control=a_c,
        beta_control=b_c,
        prob_treatment_better=float(np.mean(diff > 0)),
        expected_loss_treatment=float(np.mean(np.maximum(-diff, 0.0))),
        expected_loss_control=float(np.mean(np.maximum(diff, 0.0))),
        mean_difference=float(a_t / (a_t + b_t) - a_c / (a_c + b_c)),
        ci_low=float(low),
        ci_high=float(high),
    )
