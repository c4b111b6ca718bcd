"""ml.basket on toy baskets whose rules are computed by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ml.basket.pipeline import planted_recall
from ml.basket.rules import RuleSettings, intersect_sorted, min_order_count, mine_rules

# Six baskets (one user each): products 1, 2, 3 in four baskets each, product 4 in one.
BASKETS = {1: [1, 2], 2: [1, 2, 3], 3: [1, 3], 4: [2, 3], 5: [1, 2, 3], 6: [4]}


def toy_lines() -> pl.DataFrame:
    rows = [(order, product, order) for order, items in BASKETS.items() for product in items]
    return pl.DataFrame(rows, schema=["order_id", "product_id", "user_id"], orient="row")


def rule(rules: pl.DataFrame, antecedents: list[int], consequents: list[int]) -> dict:
    found = rules.filter(
        (pl.col("antecedents") == antecedents) & (pl.col("consequents") == consequents)
    )
    assert found.height == 1, (antecedents, consequents)
    return found.row(0, named=True)


def test_threshold_matches_the_pair_mart_formula() -> None:
    assert min_order_count(1000, 0.00005, 20) == 20
    assert min_order_count(3_214_874, 0.00005, 20) == 161


def test_pair_and_triple_rules_match_hand_computed_measures() -> None:
    settings = RuleSettings(min_support=0.0, min_orders=2, min_product_users=1, max_len=3)
    mined = mine_rules(toy_lines(), prior_orders=6, settings=settings)
    assert mined.frequent_products == 3  # product 4 is in one basket only
    assert mined.mined_baskets == 5
    # 3 pairs x 2 directions + the triple split 3 ways x 2 directions
    assert mined.rules.height == 12
    one_two = rule(mined.rules, [1], [2])
    assert one_two["support"] == pytest.approx(3 / 6)
    assert one_two["confidence"] == pytest.approx(3 / 4)
    assert one_two["lift"] == pytest.approx(0.75 / (4 / 6))
    assert one_two["leverage"] == pytest.approx(3 / 6 - (4 / 6) ** 2)
    assert one_two["conviction"] == pytest.approx((1 - 4 / 6) / (1 - 0.75))
    triple = rule(mined.rules, [1, 2], [3])
    assert triple["support"] == pytest.approx(2 / 6)
    assert triple["confidence"] == pytest.approx(2 / 3)
    assert triple["lift"] == pytest.approx(1.0)
    assert triple["leverage"] == pytest.approx(0.0, abs=1e-12)
    assert rule(mined.rules, [1], [2, 3])["confidence"] == pytest.approx(0.5)
    assert mined.rules["rule_id"].to_list() == list(range(1, 13))
    assert mined.rules["lift"].is_sorted(descending=True)


def test_max_len_and_thresholds_prune() -> None:
    pairs_only = RuleSettings(min_support=0.0, min_orders=2, min_product_users=1, max_len=2)
    assert mine_rules(toy_lines(), 6, pairs_only).rules.height == 6
    # the triple is in 2 baskets, pairs in 3: a threshold of 3 keeps only the pairs
    strict = RuleSettings(min_support=0.0, min_orders=3, min_product_users=1, max_len=3)
    assert mine_rules(toy_lines(), 6, strict).rules.height == 6
    # products need 5 buyers: nothing is frequent
    few_buyers = RuleSettings(min_support=0.0, min_orders=2, min_product_users=5, max_len=3)
    assert mine_rules(toy_lines(), 6, few_buyers).rules.height == 0


def test_sampled_mining_recounts_supports_exactly() -> None:
    sampled = RuleSettings(
        min_support=0.0, min_orders=2, min_product_users=1, max_len=2, max_baskets=4, seed=1
    )
    mined = mine_rules(toy_lines(), 6, sampled)
    assert mined.sampled_baskets == 4
    for row in mined.rules.iter_rows(named=True):
        assert row["support"] == pytest.approx(3 / 6)  # exact, not the sample's share


def test_planted_recall_counts_directed_pairs_among_top_rules() -> None:
    settings = RuleSettings(min_support=0.0, min_orders=2, min_product_users=1, max_len=2)
    rules = mine_rules(toy_lines(), 6, settings).rules
    planted = pl.DataFrame({"antecedent_product_id": [1, 4], "consequent_product_id": [2, 1]})
    recall = planted_recall(rules, planted)
    assert recall["planted_pairs"] == 2
    assert recall["planted_recall_all_rules"] == pytest.approx(0.5)


@pytest.mark.parametrize("sizes", [(0, 5), (5, 0), (1, 1), (50, 3000), (3000, 50), (400, 400)])
def test_intersect_sorted_matches_numpy(sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(sizes))
    a, b = (np.sort(rng.choice(5000, n, replace=False)) for n in sizes)
    assert np.array_equal(intersect_sorted(a, b), np.intersect1d(a, b))
    # ends of the range: a value past the last of the longer array is not a match
    assert intersect_sorted(np.array([7, 9]), np.array([1, 7, 8])).tolist() == [7]
