"""Prior baskets as a Word2Vec corpus file: one basket per line, product ids as tokens.

The file is built inside DuckDB (3.2M baskets at scale 1 never become Python lists) and read
by gensim's `corpus_file` mode. Within a basket the products are put in a seeded pseudo-random
order (a hash of order, product and seed): cart order would otherwise teach the model "bought
right after", and a basket is a set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa

from ml.relations import Source, as_relation


@dataclass(frozen=True)
class CorpusStats:
    baskets: int
    tokens: int
    max_basket: int


def basket_lines_sql(seed: int) -> str:
    """Prior lines of baskets with at least two products (a single product has no context),
    sorted by basket and, within it, by a seeded hash (the shuffle). A plain sort spills to
    disk when it must; an ordered string aggregate over 32M lines ran DuckDB out of memory."""
    return f"""
        with prior as (
            select order_id, product_id
            from source
            where eval_set = 'prior'
        ),

        baskets as (
            select order_id
            from prior
            group by order_id
            having count(*) >= 2
        )

        select prior.order_id, prior.product_id
        from prior
        inner join baskets on prior.order_id = baskets.order_id
        order by prior.order_id, hash(prior.order_id, prior.product_id, {int(seed)})
    """


def _basket_strings(lines: pl.DataFrame) -> pl.DataFrame:
    """(order_id, basket, basket_size) from lines sorted by basket, in that order."""
    return lines.group_by("order_id", maintain_order=True).agg(
        pl.col("product_id").cast(pl.String).str.join(" ").alias("basket"),
        pl.len().alias("basket_size"),
    )


def write_basket_corpus(order_lines: Source, path: Path, seed: int) -> CorpusStats:
    """Write the prior baskets of `order_lines` (order_id, product_id, eval_set) to `path`.

    Streamed batch by batch; a basket cut by a batch boundary is carried to the next batch.
    """
    relation = as_relation(order_lines).query("source", basket_lines_sql(seed))
    baskets = tokens = max_basket = 0
    carry = None
    with path.open("w") as handle:

        def write(lines: pl.DataFrame) -> None:
            nonlocal baskets, tokens, max_basket
            frame = _basket_strings(lines)
            baskets += frame.height
            tokens += int(frame["basket_size"].sum())
            max_basket = max(max_basket, int(frame["basket_size"].max() or 0))
            handle.write("\n".join(frame["basket"].to_list()) + "\n")

        for batch in relation.to_arrow_reader(500_000):
            lines = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(lines, pl.DataFrame)
            if carry is not None:
                lines = pl.concat([carry, lines])
            if not lines.height:
                continue
            last = lines["order_id"][-1]
            carry = lines.filter(pl.col("order_id") == last)
            complete = lines.filter(pl.col("order_id") != last)
            if complete.height:
                write(complete)
        if carry is not None and carry.height:
            write(carry)
    return CorpusStats(baskets, tokens, max_basket)
