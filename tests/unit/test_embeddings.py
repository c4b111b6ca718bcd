"""ml.embeddings on hand-made data: corpus, neighbours, evaluation, a toy Word2Vec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ml.embeddings.corpus import write_basket_corpus
from ml.embeddings.evaluate import (
    complement_recall,
    random_same_aisle_precision,
    same_aisle_precision,
)
from ml.embeddings.neighbours import top_k_neighbours
from ml.embeddings.pipeline import embeddings_table, similar_products_table
from ml.embeddings.word2vec import effective_params, resolve_sample, train_product2vec


def lines(baskets: dict[int, list[int]], eval_set: str = "prior") -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"order_id": order, "product_id": product, "eval_set": eval_set}
            for order, products in baskets.items()
            for product in products
        ]
    )


def test_corpus_keeps_prior_baskets_of_two_or_more_shuffled_by_seed(tmp_path: Path) -> None:
    source = pl.concat(
        [lines({1: [10, 11, 12, 13, 14, 15], 2: [20], 3: [30, 31]}), lines({4: [40, 41]}, "train")]
    )
    stats = write_basket_corpus(source, tmp_path / "a.txt", seed=1)
    rows = (tmp_path / "a.txt").read_text().splitlines()
    assert (stats.baskets, stats.tokens, stats.max_basket) == (2, 8, 6)
    assert [sorted(map(int, row.split())) for row in rows] == [[10, 11, 12, 13, 14, 15], [30, 31]]
    write_basket_corpus(source, tmp_path / "b.txt", seed=1)
    assert (tmp_path / "b.txt").read_text() == (tmp_path / "a.txt").read_text()
    orders = {
        write_basket_corpus(source, tmp_path / f"s{seed}.txt", seed=seed)
        and (tmp_path / f"s{seed}.txt").read_text().splitlines()[0]
        for seed in range(8)
    }
    assert len(orders) > 1  # the seed changes the order within a basket


def test_neighbours_of_a_toy_embedding() -> None:
    ids = np.array([4, 1, 2, 3])
    vectors = np.array([[-1.0, 0.0], [1.0, 0.0], [0.9, 0.1], [0.0, 2.0]])
    result = top_k_neighbours(ids, vectors, k=2)
    got = {
        (row["product_id"], row["neighbour_rank"]): (
            row["similar_product_id"],
            row["cosine_similarity"],
        )
        for row in result.iter_rows(named=True)
    }
    cos_12 = 0.9 / np.hypot(0.9, 0.1)
    assert got[(1, 1)] == (2, pytest.approx(cos_12))
    assert got[(1, 2)] == (3, pytest.approx(0.0))
    assert got[(3, 1)] == (2, pytest.approx(0.1 / np.hypot(0.9, 0.1)))
    # 1 and 3 tie at cosine 0 for product 4's second place? no: cos(4,3) = 0 > cos(4,2) < 0
    assert got[(4, 1)] == (3, pytest.approx(0.0))
    assert got[(4, 2)] == (2, pytest.approx(-cos_12))
    assert result.height == 8


def test_neighbour_ties_break_by_smaller_id() -> None:
    ids = np.array([7, 5, 6])
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    result = top_k_neighbours(ids, vectors, k=2).filter(pl.col("product_id") == 7)
    assert result["similar_product_id"].to_list() == [5, 6]


def test_neighbours_match_brute_force_across_blocks_and_ties(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ml.embeddings.neighbours as neighbours_module

    monkeypatch.setattr(neighbours_module, "BLOCK_ROWS", 7)  # several blocks, a ragged last one
    rng = np.random.default_rng(3)
    # 8 distinct directions for 40 products: many exact ties, also at the k-th place
    vectors = rng.integers(-2, 3, size=(8, 3)).astype(float)[rng.integers(0, 8, 40)]
    ids = rng.permutation(np.arange(100, 140))
    k = 5
    got = top_k_neighbours(ids, vectors, k=k).sort("product_id", "neighbour_rank")
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.nan_to_num(unit)
    expected = []
    for i in np.argsort(ids):
        others = [j for j in range(ids.size) if j != i]
        ranked = sorted(others, key=lambda j: (-float(np.float32(unit[i] @ unit[j])), ids[j]))
        expected += [(int(ids[i]), r + 1, int(ids[j])) for r, j in enumerate(ranked[:k])]
    assert list(got.select("product_id", "neighbour_rank", "similar_product_id").iter_rows()) == [
        tuple(row) for row in expected
    ]


def test_same_aisle_precision_and_chance_level_by_hand() -> None:
    products = pl.DataFrame({"product_id": [1, 2, 3, 4], "aisle_id": [1, 1, 2, 2]})
    neighbours = pl.DataFrame(
        {
            "product_id": [1, 1, 2, 2, 3, 3],
            "neighbour_rank": [1, 2, 1, 2, 1, 2],
            "similar_product_id": [2, 3, 3, 4, 4, 1],
        }
    )
    # product 1: {2 same, 3 other} = 1/2; product 2: {3, 4} = 0; product 3: {4 same, 1} = 1/2
    assert same_aisle_precision(neighbours, products, k=2) == pytest.approx(1 / 3)
    assert same_aisle_precision(neighbours, products, k=1) == pytest.approx(2 / 3)
    # 4 products in two aisles of two: each has 1 same-aisle product among 3 others
    assert random_same_aisle_precision(pl.Series([1, 2, 3, 4]), products) == pytest.approx(1 / 3)


def test_complement_recall_counts_either_direction_among_embedded_pairs() -> None:
    neighbours = pl.DataFrame(
        {
            "product_id": [1, 2, 3, 4],
            "neighbour_rank": [1, 1, 1, 1],
            "similar_product_id": [2, 3, 4, 1],
        }
    )
    planted = pl.DataFrame(
        {
            "antecedent_product_id": [1, 4, 2, 9],
            "consequent_product_id": [2, 3, 4, 1],  # 1-2 found, 4-3 found (3 -> 4), 2-4 not
        }
    )
    recall, pairs = complement_recall(neighbours, planted, k=1)
    assert pairs == 3  # the pair with product 9 (not embedded) does not count
    assert recall == pytest.approx(2 / 3)


def test_unknown_embedding_param_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown"):
        effective_params({"epoch": 3})


def toy_baskets(seed: int = 0) -> pl.DataFrame:
    """Four groups of 25 products (ids 100-124, 200-224, ...), never mixed in a basket."""
    rng = np.random.default_rng(seed)
    baskets = {}
    for order in range(2000):
        group = np.arange(25) + 100 * (order % 4 + 1)
        baskets[order + 1] = rng.choice(group, size=5, replace=False).tolist()
    return lines(baskets)


def test_word2vec_puts_co_bought_products_together_reproducibly() -> None:
    # sample=0: in a 100-product corpus every product is "frequent" and would be down-sampled
    params = {"vector_size": 16, "epochs": 5, "min_count": 1, "sample": 0, "workers": 1}
    first = train_product2vec(toy_baskets(), params)
    second = train_product2vec(toy_baskets(), params)
    assert np.array_equal(first.vectors, second.vectors)
    assert first.product_ids.tolist() == [g * 100 + i for g in range(1, 5) for i in range(25)]
    assert first.params["window"] == 4  # covers the basket (5 products)
    neighbours = top_k_neighbours(first.product_ids, first.vectors, k=10)
    same_group = neighbours.select(
        (pl.col("product_id") // 100 == pl.col("similar_product_id") // 100).mean()
    ).item()
    assert same_group == 1.0


def test_tables_have_the_fixed_schemas() -> None:
    params = {"vector_size": 4, "epochs": 2, "min_count": 1}
    table = embeddings_table(toy_baskets(), params)
    assert table.schema.names == ["product_id", "vector"]
    assert str(table.schema.field("vector").type) == "list<item: double>"
    assert len(table["vector"][0].as_py()) == 4
    similar = similar_products_table(table, k=3)
    assert similar.schema.names == [
        "product_id",
        "neighbour_rank",
        "similar_product_id",
        "cosine_similarity",
    ]
    assert similar.num_rows == 100 * 3


def test_auto_sample_depends_on_corpus_size() -> None:
    assert resolve_sample("auto", large_corpus=True) == 1e-4
    assert resolve_sample("auto", large_corpus=False) == 1e-3
    assert resolve_sample(0, large_corpus=True) == 0.0  # an explicit value is kept
    assert resolve_sample("0.002", large_corpus=False) == 0.002
