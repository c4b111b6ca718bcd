"""Train product2vec: gensim Word2Vec (CBOW, negative sampling) over the basket corpus.

Choices, and why:
- CBOW, not skip-gram: with a window covering the whole basket skip-gram costs one update
  per (product, other product) pair, about 10x CBOW's one update per product; at scale 1
  (32M tokens) that decides whether training fits the time budget.
- window = the largest basket and shrink_windows=False: every product of a basket is context
  of every other (a basket is a set; the order within it is a seeded shuffle anyway).
- Determinism: seed fixes the initial vectors and sampling; with workers=1 gensim's training
  is then bit-for-bit reproducible. workers=2 is about twice as fast but the two threads'
  interleaving makes vectors differ slightly from run to run. workers=0 (the default) means
  1 below LARGE_CORPUS_TOKENS tokens (test and default builds: reproducible) and 2 above
  (scale 1: 32M tokens, where the time budget needs both cores; measured 9.5 CPU-seconds per
  3.1M tokens and epoch at vector_size 48, so about 490 CPU-seconds for 5 epochs).
- sample = "auto" (the default): 1e-4 from LARGE_CORPUS_TOKENS tokens on, gensim's 1e-3
  below. A few staples (bananas, milk) are in most baskets, and on a large corpus training
  on every one of their occurrences mostly re-learns their popularity: at scale 1
  (`make bench SCALE=1`, b30168a vs e4e4b30) ml_product_embeddings took 283 -> 188 s,
  planted-complement recall@10 0.243 -> 0.387, same-aisle precision@10 0.644 -> 0.641. A
  small corpus needs those occurrences: with 1e-4 the 3,000-user integration test's
  neighbours fell to near chance, so below the cut it stays at 1e-3.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from gensim.models import Word2Vec

from ml.embeddings.corpus import CorpusStats, write_basket_corpus
from ml.relations import Source

DEFAULT_PARAMS: dict[str, Any] = {
    "vector_size": 48,
    "epochs": 5,
    "min_count": 5,
    "negative": 10,
    "sample": "auto",  # see the module docstring
    "alpha": 0.025,
    "seed": 42,
    "workers": 0,  # 0 = auto (see the module docstring)
}
# From this many tokens on, "auto" settings pick 2 workers and LARGE_CORPUS_SAMPLE.
LARGE_CORPUS_TOKENS = 5_000_000
LARGE_CORPUS_SAMPLE = 1e-4
SMALL_CORPUS_SAMPLE = 1e-3


@dataclass(frozen=True)
class TrainedEmbeddings:
    product_ids: np.ndarray  # int64, one per row of vectors
    vectors: np.ndarray  # float32, (products, vector_size)
    params: dict[str, Any]
    corpus: CorpusStats
    seconds: float


def effective_params(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """DEFAULT_PARAMS updated by the dbt var (unknown keys are an error, not a silent no-op)."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(
            f"unknown embedding params {sorted(unknown)}; known: {sorted(DEFAULT_PARAMS)}"
        )
    return {**DEFAULT_PARAMS, **overrides}


def resolve_sample(sample: Any, large_corpus: bool) -> float:
    """gensim's down-sampling threshold: a number as given, or "auto" by corpus size."""
    if sample == "auto":
        return LARGE_CORPUS_SAMPLE if large_corpus else SMALL_CORPUS_SAMPLE
    return float(sample)


def train_product2vec(
    order_lines: Source, overrides: Mapping[str, Any] | None = None
) -> TrainedEmbeddings:
    """Word2Vec over the prior baskets of `order_lines` (order_id, product_id, eval_set)."""
    params = effective_params(overrides)
    started = time.monotonic()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="product2vec-") as folder:
        corpus_path = Path(folder) / "baskets.txt"
        corpus = write_basket_corpus(order_lines, corpus_path, int(params["seed"]))
        print(
            f"[embeddings] corpus: {corpus.baskets:,} baskets, {corpus.tokens:,} tokens, "
            f"largest basket {corpus.max_basket}",
            flush=True,
        )
        if corpus.baskets == 0:
            raise ValueError("no prior basket with two or more products: nothing to embed")
        large = corpus.tokens >= LARGE_CORPUS_TOKENS
        workers = int(params["workers"]) or (2 if large else 1)
        sample = resolve_sample(params["sample"], large)
        model = Word2Vec(
            corpus_file=str(corpus_path),
            vector_size=int(params["vector_size"]),
            window=max(corpus.max_basket - 1, 1),
            shrink_windows=False,
            min_count=int(params["min_count"]),
            sg=0,
            negative=int(params["negative"]),
            sample=sample,
            alpha=float(params["alpha"]),
            epochs=int(params["epochs"]),
            seed=int(params["seed"]),
            workers=workers,
        )
    keys = model.wv.index_to_key
    product_ids = np.asarray([int(key) for key in keys], dtype=np.int64)
    order = np.argsort(product_ids, kind="stable")
    seconds = time.monotonic() - started
    print(
        f"[embeddings] {len(keys):,} products x {params['vector_size']} dims, "
        f"{params['epochs']} epochs in {seconds:.1f} s",
        flush=True,
    )
    return TrainedEmbeddings(
        product_ids=product_ids[order],
        vectors=np.asarray(model.wv.vectors, dtype=np.float32)[order],
        params={
            **params,
            "window": max(corpus.max_basket - 1, 1),
            "workers": workers,
            "sample": sample,
        },
        corpus=corpus,
        seconds=seconds,
    )
