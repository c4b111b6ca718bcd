"""Planted truth written beside the data in DIR/truth/ (later models are checked against it)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from ml.synthetic import writer
from ml.synthetic.baskets import (
    ABANDON_MIN_OBSERVED_ORDERS,
    ADOPT_MIN_OBSERVED_ORDERS,
    EXPLORE_SCALE,
    MAX_BASKET,
    MIN_ITEM_LOGIT_SD,
    PRODUCT_LOGIT_SD,
    STAPLE_ABANDONED,
    STAPLE_LATE_ADOPTION,
    STAPLE_LOGIT_SHIFT,
    TRIAL_LOGIT,
    USER_LOGIT_SD,
    WEAK_LOGIT,
    Associations,
)
from ml.synthetic.catalog import N_PRODUCTS, Catalog
from ml.synthetic.orders import CONTEXT_GAP_COEF, CONTEXT_GAP_SATURATES, CONTEXT_NOISE
from ml.synthetic.personas import PERSONAS, Users

FILES = {
    "user_personas.csv": (
        "One row per user: planted persona (name and index) and the personal parameters drawn "
        "around it: n_orders (incl. final), final_eval_set, mean_gap_days (true mean gap "
        "before the 30-day cap), n_staples (repertoire size), explore_rate (mean exploration "
        "draws per order), fav_mix (share of exploration from 3 favourite aisles)."
    ),
    "planted_associations.csv": (
        "Planted complementary pairs: when the antecedent is in a basket the consequent is "
        "added with probability `boost` (antecedents and consequents are disjoint sets, each "
        "product in at most one pair)."
    ),
    "final_order_probabilities.csv": (
        "For every user (train and test) and every product the user bought in prior orders: "
        "the exact marginal probability with which it was drawn into the user's final order "
        "(independent Bernoulli draws given the final order's context, planted associations "
        "folded in), averaged over the final order's unobservable random shock (a fresh "
        "normal draw shared by the order's items; Gauss-Hermite quadrature): the exact "
        "chance of inclusion before the order happens. Products not listed were never bought "
        "before (reordered = 0 if drawn)."
    ),
}


def write_truth(
    out: Path,
    catalog: Catalog,
    users: Users,
    assoc: Associations,
    truth_parts: list[tuple[np.ndarray, ...]],
    seed: int,
    n_users: int,
) -> None:
    """Write the three truth tables and manifest.json."""
    out.mkdir(parents=True, exist_ok=True)
    names = np.array([p.name for p in PERSONAS])
    writer.write_csv(
        pl.DataFrame(
            {
                "user_id": np.arange(1, n_users + 1),
                "persona": names[users.persona],
                "persona_id": users.persona,
                "n_orders": users.n_orders,
                "final_eval_set": np.where(users.is_train, "train", "test"),
                "mean_gap_days": np.round(users.gap_mean, 3),
                "n_staples": users.n_staples,
                "explore_rate": np.round(users.explore, 3),
                "fav_mix": np.round(users.fav_mix, 3),
            }
        ),
        out / "user_personas.csv",
    )
    writer.write_csv(
        pl.DataFrame(
            {
                "antecedent_product_id": catalog.product_id[assoc.antecedent],
                "consequent_product_id": catalog.product_id[assoc.consequent],
                "boost": assoc.boost,
                "antecedent_aisle_id": catalog.aisle_of[assoc.antecedent] + 1,
                "consequent_aisle_id": catalog.aisle_of[assoc.consequent] + 1,
            }
        ),
        out / "planted_associations.csv",
    )
    uid, pid, prob = (np.concatenate(c) for c in zip(*truth_parts, strict=True))
    writer.write_csv(
        pl.DataFrame(
            [
                pl.Series("user_id", uid),
                pl.Series("product_id", pid),
                pl.Series("probability", prob, dtype=pl.Float64),
            ]
        ),
        out / "final_order_probabilities.csv",
    )
    manifest = {
        "generator": "ml.synthetic",
        "seed": seed,
        "users": n_users,
        "products": N_PRODUCTS,
        "orders": int(users.n_orders.sum()),
        "train_users": int(users.is_train.sum()),
        "test_users": int((~users.is_train).sum()),
        "candidate_pairs": int(uid.size),
        "parameters": {
            "personas": [
                {
                    "name": p.name,
                    "share": p.share,
                    "extra_orders": p.extra_orders,
                    "gap_mean": p.gap_mean,
                    "n_staples": p.n_staples,
                    "staple_logit": list(p.staple_logit),
                    "explore": p.explore,
                }
                for p in PERSONAS
            ],
            "staple_late_adoption": STAPLE_LATE_ADOPTION,
            "staple_abandoned": STAPLE_ABANDONED,
            "abandon_min_observed_orders": ABANDON_MIN_OBSERVED_ORDERS,
            "adopt_min_observed_orders": ADOPT_MIN_OBSERVED_ORDERS,
            "product_logit_sd": PRODUCT_LOGIT_SD,
            "min_item_logit_sd": MIN_ITEM_LOGIT_SD,
            "staple_logit_shift": STAPLE_LOGIT_SHIFT,
            "user_logit_sd": USER_LOGIT_SD,
            "weak_logit": list(WEAK_LOGIT),
            "trial_logit": list(TRIAL_LOGIT),
            "explore_scale": EXPLORE_SCALE,
            "context_gap_saturates": CONTEXT_GAP_SATURATES,
            "context_gap_coef": CONTEXT_GAP_COEF,
            "context_noise": CONTEXT_NOISE,
            "max_basket": MAX_BASKET,
            "n_associations": int(assoc.antecedent.size),
        },
        "files": FILES,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
