"""The tables the recommender dbt Python models write; each function is one model's body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from ml.recommend import baselines
from ml.recommend.blend import blend
from ml.recommend.candidates import (
    cluster_popularity,
    embedding_candidates,
    repeat_candidates,
    rule_candidates,
    segment_candidates,
    top_per_user,
)
from ml.recommend.evaluate import ranking_metrics
from ml.recommend.inputs import final_baskets, reorder_probabilities, user_history
from ml.recommend.suggestions import basket_suggestions
from ml.relations import Source
from ml.reorder.pipeline import METRIC_SCHEMA, as_mapping, to_polars

DEFAULT_PARAMS: dict[str, Any] = {
    "top_n": 10,  # recommendations per user
    "staples": 5,  # the user's most likely repeat items that seed cross-sell
    "rules_per_staple": 10,
    "neighbours_per_staple": 10,
    "segment_candidates": 20,  # popular products per cluster
    # Cross-sell weights. A new item is far less likely than its raw score suggests (a
    # staple's frequent companion the user never bought is one they probably do not want):
    # on the 3,000-user synthetic set no cross-sell item with weight 1 was in the final
    # basket while repeat items at the same ranks were in 35%, so cross-sell only fills the
    # places the reorder model leaves to near-zero probabilities.
    "rules_weight": 0.1,
    "embedding_weight": 0.02,  # also puts cosine on the probability scale
    "segment_weight": 0.05,
    "suggestions_top_n": 5,  # "if you add X" suggestions per product
    "chunk_users": 25_000,  # users blended at once (bounds memory at scale 1)
}
RECOMMENDATION_SCHEMA = pa.schema(
    [
        ("user_id", pa.int64()),
        ("rank", pa.int32()),
        ("product_id", pa.int64()),
        ("score", pa.float64()),
        ("source", pa.string()),
    ]
)
SUGGESTION_SCHEMA = pa.schema(
    [
        ("product_id", pa.int64()),
        ("rank", pa.int32()),
        ("suggested_product_id", pa.int64()),
        ("score", pa.float64()),
        ("source", pa.string()),
    ]
)
EVALUATION_K = 10
HYBRID = "hybrid_recommender"


def effective_params(overrides: Any = None) -> dict[str, Any]:
    """DEFAULT_PARAMS updated by the dbt var recommend_params (unknown keys are an error)."""
    values = as_mapping(overrides)
    unknown = set(values) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"unknown recommend params {sorted(unknown)}")
    return {**DEFAULT_PARAMS, **values}


def recommend(
    history: pl.DataFrame,
    reorder: pl.DataFrame,
    rules: pl.DataFrame,
    neighbours: pl.DataFrame,
    clusters: pl.DataFrame,
    params: Mapping[str, Any],
) -> pl.DataFrame:
    """Top-N list of every user in `history`, blended chunk by chunk of users.

    history: (user_id, product_id, times_bought, order_rate, history_orders); reorder:
    (user_id, product_id, probability); rules: (rule_id, antecedents, consequents,
    confidence); neighbours: ml_similar_products; clusters: (user_id, cluster_id).
    """
    orders = history.group_by("user_id").agg(pl.col("history_orders").first().alias("orders"))
    members = clusters.join(orders, on="user_id")
    popular = cluster_popularity(history, members, int(params["segment_candidates"]))
    users = history["user_id"].unique().sort().to_numpy()
    chunk = int(params["chunk_users"])
    parts = []
    for start in range(0, users.size, chunk):
        wanted = pl.Series(users[start : start + chunk]).implode()
        repeat = repeat_candidates(
            history.filter(pl.col("user_id").is_in(wanted)),
            reorder.filter(pl.col("user_id").is_in(wanted)),
        )
        staples = top_per_user(repeat, int(params["staples"]))
        cross_sell = [
            rule_candidates(
                staples, rules, int(params["rules_per_staple"]), float(params["rules_weight"])
            ),
            embedding_candidates(
                staples,
                neighbours,
                int(params["neighbours_per_staple"]),
                float(params["embedding_weight"]),
            ),
            segment_candidates(
                clusters.filter(pl.col("user_id").is_in(wanted)),
                popular,
                float(params["segment_weight"]),
            ),
        ]
        parts.append(blend(repeat, cross_sell, int(params["top_n"])))
        print(f"[recommend] users {min(start + chunk, users.size):,}/{users.size:,}", flush=True)
    if not parts:
        return pl.from_arrow(RECOMMENDATION_SCHEMA.empty_table())  # type: ignore[return-value]
    return pl.concat(parts)


def recommendations_table(
    user_products: Source,
    predictions: Source,
    rules: pl.DataFrame,
    similar: Source,
    clusters: pl.DataFrame,
    params: Any = None,
) -> pa.Table:
    """ml_user_recommendations: every user's top-N (reorder + cross-sell)."""
    lists = recommend(
        user_history(user_products),
        reorder_probabilities(predictions),
        rules,
        to_polars(similar),
        clusters,
        effective_params(params),
    )
    return lists.to_arrow().cast(RECOMMENDATION_SCHEMA)


def suggestions_table(rules: pl.DataFrame, similar: Source, params: Any = None) -> pa.Table:
    """ml_basket_suggestions: "if you add X, suggest Y" from rules and embeddings."""
    values = effective_params(params)
    frame = basket_suggestions(
        rules,
        to_polars(similar),
        int(values["suggestions_top_n"]),
        float(values["embedding_weight"]),
    )
    return frame.to_arrow().cast(SUGGESTION_SCHEMA)


def metrics_table(
    recommendations: Source,
    user_products: Source,
    predictions: Source,
    order_lines: Source,
) -> pa.Table:
    """ml_recommender_metrics: Recall/NDCG/hit rate@10 (all, repeat, new items) of the hybrid,
    the reorder model alone (its top 10 repeat items), personal top-frequency and global
    top-popular, on the final baskets of the reorder model's validation users (split
    'validation'). Empty when the reorder model has no validation users."""
    reorder = reorder_probabilities(predictions)
    # the recommender scores one reorder run's probabilities: its metrics carry that run's id
    run_id = f"{reorder['run_id'][0]}+recommender" if reorder.height else "none"
    users = reorder.filter(pl.col("split") == "validation")["user_id"].unique().sort()
    if not users.len():
        return METRIC_SCHEMA.empty_table()
    wanted = users.implode()
    truth = final_baskets(order_lines, users)
    every_history = user_history(user_products)
    history = every_history.filter(pl.col("user_id").is_in(wanted))
    lists = {
        HYBRID: to_polars(recommendations).filter(pl.col("user_id").is_in(wanted)),
        "reorder_only": top_per_user(
            repeat_candidates(history, reorder.filter(pl.col("user_id").is_in(wanted))),
            EVALUATION_K,
        ).with_columns(rank=(pl.int_range(pl.len()).over("user_id") + 1).cast(pl.Int32)),
        "baseline_personal_frequency": baselines.personal_top_frequency(
            history, users, EVALUATION_K
        ),
        "baseline_global_popular": baselines.global_top_popular(every_history, users, EVALUATION_K),
    }
    rows = []
    for model, recommended in lists.items():
        for metric, value in ranking_metrics(recommended, truth, EVALUATION_K).items():
            rows.append(
                {
                    "run_id": run_id,
                    "model": model,
                    "split": "validation",
                    "metric": metric,
                    "value": float(np.float64(value)),
                }
            )
    return pa.Table.from_pylist(rows, schema=METRIC_SCHEMA)
