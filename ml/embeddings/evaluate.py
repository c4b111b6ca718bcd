"""Quality of the neighbour lists: same-aisle precision@k and recall of planted complements.

Word2Vec puts products that share contexts close together: substitutes (same aisle) and
complements (bought together). Same-aisle precision measures the first; the synthetic
generator's planted complementary pairs (truth/planted_associations.csv, always across
aisles) measure the second.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

PLANTED_PAIRS_FILE = Path("truth") / "planted_associations.csv"


def same_aisle_precision(neighbours: pl.DataFrame, products: pl.DataFrame, k: int) -> float:
    """Mean over products of the share of their top-k neighbours in their own aisle.

    neighbours: (product_id, neighbour_rank, similar_product_id); products: (product_id,
    aisle_id). Products with fewer than k neighbours count only the neighbours they have.
    """
    aisles = products.select(pl.col("product_id").cast(pl.Int64), "aisle_id")
    top = neighbours.filter(pl.col("neighbour_rank") <= k).select(
        pl.col("product_id").cast(pl.Int64), pl.col("similar_product_id").cast(pl.Int64)
    )
    if not top.height:
        return float("nan")
    labelled = top.join(aisles, on="product_id").join(
        aisles.rename({"product_id": "similar_product_id", "aisle_id": "similar_aisle_id"}),
        on="similar_product_id",
    )
    per_product = labelled.group_by("product_id").agg(
        (pl.col("aisle_id") == pl.col("similar_aisle_id")).mean().alias("precision")
    )
    return float(per_product["precision"].mean())


def random_same_aisle_precision(product_ids: pl.Series, products: pl.DataFrame) -> float:
    """The same figure for random neighbours among the embedded products (the chance level):
    the mean over products of (other products in its aisle) / (other products)."""
    embedded = products.filter(pl.col("product_id").cast(pl.Int64).is_in(product_ids.implode()))
    n = embedded.height
    if n < 2:
        return float("nan")
    sizes = embedded.group_by("aisle_id").len()["len"].to_numpy().astype(float)
    return float((sizes * (sizes - 1)).sum() / (n * (n - 1)))


def complement_recall(neighbours: pl.DataFrame, planted: pl.DataFrame, k: int) -> tuple[float, int]:
    """Share of planted pairs (antecedent, consequent) found within k neighbours, in either
    direction, among the pairs whose two products are both embedded; and that pair count."""
    top = neighbours.filter(pl.col("neighbour_rank") <= k).select(
        pl.col("product_id").cast(pl.Int64).alias("a"),
        pl.col("similar_product_id").cast(pl.Int64).alias("b"),
    )
    embedded = neighbours["product_id"].cast(pl.Int64).unique().implode()
    pairs = planted.select(
        pl.col("antecedent_product_id").cast(pl.Int64).alias("a"),
        pl.col("consequent_product_id").cast(pl.Int64).alias("b"),
    ).filter(pl.col("a").is_in(embedded) & pl.col("b").is_in(embedded))
    if not pairs.height:
        return float("nan"), 0
    both_ways = pl.concat([top, top.select(a="b", b="a")]).unique()
    found = pairs.join(both_ways, on=["a", "b"], how="semi").height
    return found / pairs.height, pairs.height


def load_planted_pairs(data_dir: str | Path | None) -> pl.DataFrame | None:
    """The generator's planted complementary pairs, or None for real data (no truth/)."""
    if not data_dir:
        return None
    path = Path(data_dir) / PLANTED_PAIRS_FILE
    return pl.read_csv(path) if path.exists() else None
