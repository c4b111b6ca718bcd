"""Candidate (user_id, product_id, score, source) frames, one function per source.

Scores are on one scale, an estimate of "the product is in the user's next basket":
- reorder: the reorder model's probability (or, for users it did not score, the share of the
  user's orders containing the product);
- rules: P(staple in the basket) x confidence(staple -> product) x weight, the chance the
  staple is bought and pulls the product along, discounted for items the user never chose;
  a rule with several antecedents uses its least likely antecedent, and applies only when
  all antecedents are among the user's staples;
- embedding: P(staple) x cosine(staple, product) x weight (cosine is not a probability; the
  weight puts it on the rules' scale);
- segment_popular: the share of the user's cluster's orders that contain the product x weight.
"""

from __future__ import annotations

import polars as pl

CANDIDATE_SCHEMA = {
    "user_id": pl.Int64,
    "product_id": pl.Int64,
    "score": pl.Float64,
    "source": pl.String,
}


def _candidates(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    return frame.select(
        pl.col("user_id").cast(pl.Int64),
        pl.col("product_id").cast(pl.Int64),
        pl.col("score").cast(pl.Float64),
        pl.lit(source).alias("source"),
    )


def repeat_candidates(history: pl.DataFrame, reorder: pl.DataFrame) -> pl.DataFrame:
    """Every product the user bought before, scored by the reorder probability.

    history: (user_id, product_id, order_rate); reorder: (user_id, product_id, probability),
    possibly with several rows per pair (the highest is kept). Users or products the reorder
    model did not score fall back to order_rate, so every user has repeat candidates.
    """
    probabilities = (
        reorder.select(
            pl.col("user_id").cast(pl.Int64),
            pl.col("product_id").cast(pl.Int64),
            pl.col("probability").cast(pl.Float64),
        )
        .group_by("user_id", "product_id")
        .agg(pl.col("probability").max())
    )
    scored = history.select(
        pl.col("user_id").cast(pl.Int64),
        pl.col("product_id").cast(pl.Int64),
        pl.col("order_rate").cast(pl.Float64),
    ).join(probabilities, on=["user_id", "product_id"], how="left")
    return _candidates(
        scored.with_columns(score=pl.coalesce("probability", "order_rate")), "reorder"
    )


def top_per_user(candidates: pl.DataFrame, n: int) -> pl.DataFrame:
    """The n best candidates of each user (score desc, product_id asc)."""
    return (
        candidates.sort(["user_id", "score", "product_id"], descending=[False, True, False])
        .group_by("user_id", maintain_order=True)
        .head(n)
    )


def _best_single_antecedent_consequents(rules: pl.DataFrame, per_staple: int) -> pl.DataFrame:
    """(staple_id, product_id, confidence): each antecedent's per_staple best consequents
    among the one-antecedent rules (the highest confidence per consequent).

    With one antecedent the score is P(staple) x confidence, so a staple's ranking of these
    consequents is the same for every user and is cut here, once per product. Joining every
    user's staples with every rule first made up to 800 rows per staple (a popular staple is
    the antecedent of hundreds of rules): 7 GB per 50k users at scale 1.
    """
    single = rules.filter(pl.col("antecedents").list.len() == 1)
    return (
        single.select(
            pl.col("antecedents").list.first().cast(pl.Int64).alias("staple_id"),
            "consequents",
            "confidence",
        )
        .explode("consequents")
        .group_by("staple_id", pl.col("consequents").cast(pl.Int64).alias("product_id"))
        .agg(pl.col("confidence").max())
        .sort(["staple_id", "confidence", "product_id"], descending=[False, True, False])
        .group_by("staple_id", maintain_order=True)
        .head(per_staple)
    )


def _multi_antecedent_matches(staples: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """(user_id, staple_id, product_id, p, confidence) of the rules with several antecedents
    that are all among the user's staples; p = the least likely antecedent's score, staple_id
    = the smallest antecedent (the staple the candidate is attributed to)."""
    multi = rules.filter(pl.col("antecedents").list.len() > 1)
    sizes = multi.select("rule_id", pl.col("antecedents").list.len().alias("antecedent_size"))
    antecedents = multi.select("rule_id", "antecedents").explode("antecedents")
    matched = (
        staples.select(
            "user_id", pl.col("product_id").alias("antecedents"), pl.col("score").alias("p")
        )
        .join(antecedents.with_columns(pl.col("antecedents").cast(pl.Int64)), on="antecedents")
        .group_by("user_id", "rule_id")
        .agg(pl.len().alias("matched"), pl.col("p").min(), pl.col("antecedents").min())
        .join(sizes, on="rule_id")
        .filter(pl.col("matched") == pl.col("antecedent_size"))
    )
    consequents = multi.select("rule_id", "consequents", "confidence").explode("consequents")
    return matched.join(consequents, on="rule_id").select(
        "user_id",
        pl.col("antecedents").alias("staple_id"),
        pl.col("consequents").cast(pl.Int64).alias("product_id"),
        "p",
        "confidence",
    )


def rule_candidates(
    staples: pl.DataFrame, rules: pl.DataFrame, per_staple: int, weight: float = 1.0
) -> pl.DataFrame:
    """Consequents of the rules whose antecedents are all among the user's staples.

    staples: (user_id, product_id, score); rules: (rule_id, antecedents, consequents,
    confidence). Per rule and user the score is min(staple score) x confidence; each staple
    contributes its per_staple best consequents; scores are multiplied by weight.
    """
    if not rules.height or not staples.height:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    single = staples.select(
        "user_id", pl.col("product_id").alias("staple_id"), pl.col("score").alias("p")
    ).join(_best_single_antecedent_consequents(rules, per_staple), on="staple_id")
    matches = pl.concat(
        [
            single.select("user_id", "staple_id", "product_id", "p", "confidence"),
            _multi_antecedent_matches(staples, rules),
        ]
    )
    best = (
        matches.select(
            "user_id",
            "staple_id",
            "product_id",
            (pl.col("p") * pl.col("confidence") * weight).alias("score"),
        )
        .group_by("user_id", "staple_id", "product_id")
        .agg(pl.col("score").max())
        .sort(
            ["user_id", "staple_id", "score", "product_id"], descending=[False, False, True, False]
        )
        .group_by("user_id", "staple_id", maintain_order=True)
        .head(per_staple)
    )
    return _candidates(best, "rules")


def embedding_candidates(
    staples: pl.DataFrame, neighbours: pl.DataFrame, per_staple: int, weight: float
) -> pl.DataFrame:
    """The per_staple nearest neighbours of each staple: staple score x cosine x weight.

    neighbours: (product_id, neighbour_rank, similar_product_id, cosine_similarity).
    """
    nearest = neighbours.filter(pl.col("neighbour_rank") <= per_staple).select(
        pl.col("product_id").cast(pl.Int64),
        pl.col("similar_product_id").cast(pl.Int64),
        pl.col("cosine_similarity").clip(lower_bound=0.0),
    )
    scored = staples.join(nearest, on="product_id").select(
        "user_id",
        pl.col("similar_product_id").alias("product_id"),
        (pl.col("score") * pl.col("cosine_similarity") * weight).alias("score"),
    )
    return _candidates(scored, "embedding")


def cluster_popularity(history: pl.DataFrame, clusters: pl.DataFrame, n: int) -> pl.DataFrame:
    """(cluster_id, product_id, score): each cluster's n products in the largest share of its
    users' orders. history: (user_id, product_id, times_bought); clusters: (user_id,
    cluster_id, orders) with orders = the user's prior orders."""
    members = clusters.select(
        pl.col("user_id").cast(pl.Int64), "cluster_id", pl.col("orders").cast(pl.Float64)
    )
    cluster_orders = members.group_by("cluster_id").agg(pl.col("orders").sum().alias("orders"))
    bought = (
        history.select(
            pl.col("user_id").cast(pl.Int64), pl.col("product_id").cast(pl.Int64), "times_bought"
        )
        .join(members.select("user_id", "cluster_id"), on="user_id")
        .group_by("cluster_id", "product_id")
        .agg(pl.col("times_bought").sum())
        .join(cluster_orders, on="cluster_id")
        .with_columns(score=pl.col("times_bought") / pl.col("orders"))
    )
    return (
        bought.sort(["cluster_id", "score", "product_id"], descending=[False, True, False])
        .group_by("cluster_id", maintain_order=True)
        .head(n)
        .select("cluster_id", "product_id", "score")
    )


def segment_candidates(
    clusters: pl.DataFrame, popular: pl.DataFrame, weight: float
) -> pl.DataFrame:
    """Every user gets their cluster's popular products, scored share x weight."""
    scored = (
        clusters.select(pl.col("user_id").cast(pl.Int64), "cluster_id")
        .join(popular, on="cluster_id")
        .with_columns(pl.col("score") * weight)
    )
    return _candidates(scored, "segment_popular")
