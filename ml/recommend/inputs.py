"""The recommender's inputs, read from warehouse relations (or in-memory frames).

The rules and cluster sources have fallbacks so the recommender runs on any warehouse:
- rules: ml_association_rules (FP-growth) or, from the SQL pair mart, both directions of every
  product pair as a one-antecedent rule (`pairs_as_rules`);
- clusters: ml_user_clusters or the RFM segment of each user (`segments_as_clusters`).
"""

from __future__ import annotations

import polars as pl

from ml.relations import Source, query

HISTORY_SQL = """
    select
        cast(user_id as bigint) as user_id,
        cast(product_id as bigint) as product_id,
        up_times_bought as times_bought,
        up_order_rate as order_rate,
        up_orders_since_last_purchase as orders_since_last,
        -- up_order_rate = up_times_bought / (the user's prior orders)
        cast(round(up_times_bought / up_order_rate) as integer) as history_orders
    from source
    where target_offset = 0
"""


def user_history(user_products: Source) -> pl.DataFrame:
    """(user_id, product_id, times_bought, order_rate, orders_since_last, history_orders) of
    every product each user bought before the final order (feat_user_product, offset 0)."""
    return query(user_products, HISTORY_SQL)


def reorder_probabilities(predictions: Source) -> pl.DataFrame:
    """(run_id, user_id, product_id, split, probability) of every split the reorder model
    scored."""
    return query(
        predictions,
        "select run_id, cast(user_id as bigint) as user_id,"
        " cast(product_id as bigint) as product_id, split, probability from source",
    )


def final_baskets(order_lines: Source, users: pl.Series) -> pl.DataFrame:
    """(user_id, product_id, is_repeat) of the 'train' final orders of the given users."""
    baskets = query(
        order_lines,
        "select cast(user_id as bigint) as user_id, cast(product_id as bigint) as product_id,"
        " reordered = 1 as is_repeat from source where eval_set = 'train'",
    )
    return baskets.filter(pl.col("user_id").is_in(users.cast(pl.Int64).implode()))


def pairs_as_rules(pairs: Source) -> pl.DataFrame:
    """mart_product_pairs as rules a -> b and b -> a (rule_id, antecedents, consequents,
    confidence, lift)."""
    frame = query(
        pairs,
        "select cast(product_a_id as bigint) as a, cast(product_b_id as bigint) as b,"
        " confidence_a_to_b, confidence_b_to_a, lift from source",
    )
    forward = frame.select(
        pl.concat_list("a").alias("antecedents"),
        pl.concat_list("b").alias("consequents"),
        pl.col("confidence_a_to_b").alias("confidence"),
        "lift",
    )
    backward = frame.select(
        pl.concat_list("b").alias("antecedents"),
        pl.concat_list("a").alias("consequents"),
        pl.col("confidence_b_to_a").alias("confidence"),
        "lift",
    )
    return (
        pl.concat([forward, backward])
        .sort(pl.col("antecedents").list.first(), pl.col("consequents").list.first())
        .with_row_index("rule_id", offset=1)
        .with_columns(pl.col("rule_id").cast(pl.Int64))
    )


def association_rules(rules: Source) -> pl.DataFrame:
    """ml_association_rules (rule_id, antecedents, consequents, confidence, lift)."""
    return query(rules, "select rule_id, antecedents, consequents, confidence, lift from source")


def segments_as_clusters(rfm: Source) -> pl.DataFrame:
    """(user_id, cluster_id) from mart_user_rfm: one cluster per RFM segment."""
    return query(
        rfm,
        "select cast(user_id as bigint) as user_id,"
        " cast(dense_rank() over (order by segment) as integer) as cluster_id from source",
    )


def user_clusters(clusters: Source) -> pl.DataFrame:
    """(user_id, cluster_id) from ml_user_clusters."""
    return query(clusters, "select cast(user_id as bigint) as user_id, cluster_id from source")
