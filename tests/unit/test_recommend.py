"""ml.recommend on hand-made frames: candidates, blending, ranking metrics, baselines."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from ml.recommend.baselines import global_top_popular, personal_top_frequency
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
from ml.recommend.inputs import pairs_as_rules
from ml.recommend.pipeline import DEFAULT_PARAMS, recommend
from ml.recommend.suggestions import basket_suggestions

HISTORY = pl.DataFrame(
    {
        "user_id": [1, 1, 1, 2, 2],
        "product_id": [10, 11, 12, 10, 13],
        "times_bought": [4, 1, 2, 3, 3],
        "order_rate": [0.8, 0.2, 0.4, 0.6, 0.6],
        "orders_since_last": [1, 3, 2, 1, 2],
        "history_orders": [5, 5, 5, 5, 5],
    }
)
REORDER = pl.DataFrame(
    {"user_id": [1, 1, 1], "product_id": [10, 11, 12], "probability": [0.3, 0.9, 0.1]}
)
RULES = pl.DataFrame(
    {
        "rule_id": [1, 2, 3],
        "antecedents": [[11], [10, 11], [10, 99]],
        "consequents": [[20], [21, 22], [23]],
        "confidence": [0.5, 0.4, 0.9],
        "lift": [2.0, 3.0, 4.0],
    }
)
NEIGHBOURS = pl.DataFrame(
    {
        "product_id": [11, 11, 10],
        "neighbour_rank": [1, 2, 1],
        "similar_product_id": [20, 30, 31],
        "cosine_similarity": [0.8, 0.5, 0.9],
    }
)


def test_repeat_candidates_use_probabilities_and_fall_back_to_order_rate() -> None:
    repeat = repeat_candidates(HISTORY, REORDER).sort("user_id", "product_id")
    assert repeat["score"].to_list() == [0.3, 0.9, 0.1, 0.6, 0.6]
    assert set(repeat["source"]) == {"reorder"}


def test_rules_need_every_antecedent_among_the_staples() -> None:
    staples = top_per_user(repeat_candidates(HISTORY, REORDER), 2)  # user 1: 11 (0.9), 10 (0.3)
    got = rule_candidates(staples, RULES, per_staple=10).sort("product_id")
    # rule 1: 0.9 x 0.5; rule 2 (10 and 11): min(0.3, 0.9) x 0.4; rule 3 needs 99: never
    assert got.filter(pl.col("user_id") == 1)["product_id"].to_list() == [20, 21, 22]
    assert got.filter(pl.col("user_id") == 1)["score"].to_list() == pytest.approx(
        [0.45, 0.12, 0.12]
    )
    # user 2's staples (10, 13) fire no rule
    assert got.filter(pl.col("user_id") == 2).height == 0


def test_embedding_candidates_scale_cosine_by_staple_and_weight() -> None:
    staples = pl.DataFrame({"user_id": [1], "product_id": [11], "score": [0.5]})
    got = embedding_candidates(staples, NEIGHBOURS, per_staple=1, weight=0.2)
    assert got.to_dicts() == [
        {"user_id": 1, "product_id": 20, "score": pytest.approx(0.08), "source": "embedding"}
    ]


def test_cluster_popularity_is_the_share_of_the_clusters_orders() -> None:
    clusters = pl.DataFrame({"user_id": [1, 2], "cluster_id": [7, 7], "orders": [5, 5]})
    popular = cluster_popularity(HISTORY, clusters, n=2)
    # product 10: 4 + 3 of 10 orders; 13: 3 of 10; 12: 2 of 10 (cut by n=2)
    assert popular.to_dicts() == [
        {"cluster_id": 7, "product_id": 10, "score": pytest.approx(0.7)},
        {"cluster_id": 7, "product_id": 13, "score": pytest.approx(0.3)},
    ]
    got = segment_candidates(clusters.drop("orders"), popular, weight=0.5)
    assert got.filter(pl.col("user_id") == 2)["score"].to_list() == pytest.approx([0.35, 0.15])


def test_blend_ranks_dedups_and_keeps_repeat_items_with_their_reorder_score() -> None:
    repeat = repeat_candidates(HISTORY, REORDER).filter(pl.col("user_id") == 1)
    cross = [
        pl.DataFrame(
            {
                "user_id": [1, 1, 1],
                "product_id": [20, 10, 21],  # 10 is a repeat item: its reorder score stays
                "score": [0.45, 0.95, 0.12],
                "source": ["rules", "rules", "rules"],
            }
        ),
        pl.DataFrame(
            {
                "user_id": [1, 1],
                "product_id": [20, 21],
                "score": [0.5, 0.12],  # 20: embedding beats rules; 21: tie, rules wins
                "source": ["embedding", "embedding"],
            }
        ),
    ]
    got = blend(repeat, cross, top_n=4)
    assert got["rank"].to_list() == [1, 2, 3, 4]
    assert got["product_id"].to_list() == [11, 20, 10, 21]
    assert got["source"].to_list() == ["reorder", "embedding", "reorder", "rules"]
    assert got["score"].to_list() == pytest.approx([0.9, 0.5, 0.3, 0.12])
    assert got.select(pl.struct("user_id", "product_id").is_unique().all()).item()


def test_recommend_end_to_end_on_toy_frames() -> None:
    clusters = pl.DataFrame({"user_id": [1, 2], "cluster_id": [1, 1]})
    params = {**DEFAULT_PARAMS, "top_n": 5, "staples": 2, "chunk_users": 1}
    got = recommend(HISTORY, REORDER, RULES, NEIGHBOURS, clusters, params)
    assert got.group_by("user_id").len().sort("user_id")["len"].to_list() == [5, 5]
    user_2 = got.filter(pl.col("user_id") == 2)
    # user 2: repeat items 10 and 13 at 0.6 (order rate), then new items from the cluster
    assert user_2["product_id"].to_list()[:2] == [10, 13]
    assert set(user_2["source"].to_list()[2:]) <= {"segment_popular", "embedding"}
    assert got.select(pl.struct("user_id", "product_id").is_unique().all()).item()


def test_ranking_metrics_by_hand() -> None:
    recommended = pl.DataFrame(
        {"user_id": [1, 1, 1, 2, 2], "rank": [1, 2, 3, 1, 2], "product_id": [5, 6, 7, 8, 9]}
    )
    truth = pl.DataFrame(
        {
            "user_id": [1, 1, 2, 3],
            "product_id": [6, 99, 1, 4],
            "is_repeat": [True, False, True, False],
        }
    )
    got = ranking_metrics(recommended, truth, k=3)
    # user 1: hit at rank 2 of 2 relevant; user 2: no hit; user 3: no list
    assert got["users"] == 3
    assert got["recall_at_3"] == pytest.approx((1 / 2 + 0 + 0) / 3)
    ndcg_1 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert got["ndcg_at_3"] == pytest.approx(ndcg_1 / 3)
    assert got["hit_rate_at_3"] == pytest.approx(1 / 3)
    # repeat items: users 1 (6, hit at rank 2) and 2 (1, missed)
    assert got["users_repeat"] == 2
    assert got["recall_at_3_repeat"] == pytest.approx(0.5)
    assert got["ndcg_at_3_repeat"] == pytest.approx((1 / math.log2(3)) / 2)
    # new items: users 1 (99) and 3 (4), both missed
    assert got["recall_at_3_new"] == 0.0
    assert got["hit_rate_at_3_new"] == 0.0


def test_baselines() -> None:
    users = pl.Series([1, 2])
    personal = personal_top_frequency(HISTORY, users, k=2)
    # user 1: 10 (4 orders), 12 (2); user 2: tie 3-3 broken by recency: 10 then 13
    assert personal["product_id"].to_list() == [10, 12, 10, 13]
    assert personal["rank"].to_list() == [1, 2, 1, 2]
    popular = global_top_popular(HISTORY, users, k=2)
    assert popular.filter(pl.col("user_id") == 2)["product_id"].to_list() == [10, 13]


def test_pairs_become_rules_both_ways_and_suggestions_merge_sources() -> None:
    pairs = pl.DataFrame(
        {
            "product_a_id": [1],
            "product_b_id": [2],
            "confidence_a_to_b": [0.3],
            "confidence_b_to_a": [0.6],
            "lift": [5.0],
        }
    )
    rules = pairs_as_rules(pairs)
    assert rules.select("antecedents", "consequents", "confidence").to_dicts() == [
        {"antecedents": [1], "consequents": [2], "confidence": 0.3},
        {"antecedents": [2], "consequents": [1], "confidence": 0.6},
    ]
    neighbours = pl.DataFrame(
        {
            "product_id": [1, 1],
            "neighbour_rank": [1, 2],
            "similar_product_id": [3, 2],
            "cosine_similarity": [0.9, 0.5],
        }
    )
    got = basket_suggestions(rules, neighbours, top_n=5, embedding_weight=0.5)
    one = got.filter(pl.col("product_id") == 1)
    # 3 by embedding 0.45; 2 by rules 0.3 beats embedding 0.25
    assert one.select("rank", "suggested_product_id", "source").rows() == [
        (1, 3, "embedding"),
        (2, 2, "rules"),
    ]
    assert one["score"].to_list() == pytest.approx([0.45, 0.3])


def _rule_candidates_by_brute_force(
    staples: pl.DataFrame, rules: pl.DataFrame, per_staple: int, weight: float
) -> dict[tuple[int, int], float]:
    """Every rule against every user's staples, in plain Python: {(user, product): score}."""
    by_user: dict[int, dict[int, float]] = {}
    for row in staples.iter_rows(named=True):
        by_user.setdefault(row["user_id"], {})[row["product_id"]] = row["score"]
    found: dict[tuple[int, int, int], float] = {}
    for user, scores in by_user.items():
        for rule in rules.iter_rows(named=True):
            if all(a in scores for a in rule["antecedents"]):
                p = min(scores[a] for a in rule["antecedents"])
                staple = min(rule["antecedents"])
                for product in rule["consequents"]:
                    key = (user, staple, product)
                    found[key] = max(found.get(key, 0.0), p * rule["confidence"] * weight)
    kept: dict[tuple[int, int], float] = {}
    for user, staple in {(u, s) for u, s, _ in found}:
        ranked = sorted(
            (
                (score, product)
                for (u, s, product), score in found.items()
                if (u, s) == (user, staple)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        for score, product in ranked[:per_staple]:
            kept[(user, product)] = max(kept.get((user, product), 0.0), score)
    return kept


def test_rule_candidates_equal_every_rule_checked_by_brute_force() -> None:
    rng = np.random.default_rng(3)
    products = list(range(1, 16))
    rules = pl.DataFrame(
        {
            "rule_id": list(range(1, 61)),
            "antecedents": [
                sorted(rng.choice(products, size=1 + (i % 3 == 0), replace=False).tolist())
                for i in range(60)
            ],
            "consequents": [
                rng.choice(products, size=1 + (i % 5 == 0), replace=False).tolist()
                for i in range(60)
            ],
            "confidence": rng.random(60).round(3).tolist(),
        }
    )
    staples = pl.DataFrame(
        {
            "user_id": np.repeat(np.arange(1, 21), 4),
            "product_id": np.concatenate(
                [rng.choice(products, size=4, replace=False) for _ in range(20)]
            ),
            "score": rng.random(80).round(3),
        }
    )
    got = rule_candidates(staples, rules, per_staple=3, weight=0.5)
    expected = _rule_candidates_by_brute_force(staples, rules, per_staple=3, weight=0.5)
    # per (user, product) the best score over the staples that kept it
    got_best = got.group_by("user_id", "product_id").agg(pl.col("score").max())
    assert {
        (r["user_id"], r["product_id"]): pytest.approx(r["score"]) for r in got_best.to_dicts()
    } == expected
    assert got.height > 20
