"""Orchestration: catalog -> users -> per-block timelines and baskets -> CSV files + truth."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from tqdm import tqdm

from ml.synthetic import truth, writer
from ml.synthetic.baskets import Block, build_sampler, plant_associations, simulate_block
from ml.synthetic.catalog import Catalog, build_catalog
from ml.synthetic.orders import Orders, simulate_orders
from ml.synthetic.personas import Users, draw_users, persona_product_weights

BLOCK_USERS = 16_384  # users simulated together; fixed so output never depends on machine
TRAIN_SHARE = 131_209 / 206_209  # real share of users whose final order is `train`
N_ASSOCIATIONS = 300


def _rng(seed: int, stream: int) -> np.random.Generator:
    """Independent PCG64 stream `stream` of the run seed (stable across user counts)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream,))))


@dataclass
class _Parts:
    """Per-block outputs collected before the global assembly."""

    orders: list[dict[str, np.ndarray]] = field(default_factory=list)
    prior: list[tuple[np.ndarray, ...]] = field(default_factory=list)
    train: list[tuple[np.ndarray, ...]] = field(default_factory=list)
    truth: list[tuple[np.ndarray, ...]] = field(default_factory=list)


def _order_id_order(order_id: np.ndarray) -> np.ndarray:
    """Permutation sorting lines by order_id, given that each order's lines are contiguous.

    Linear in lines apart from sorting the (10x fewer) orders: runs are gathered in order_id
    order, reproducing the real files' row order without sorting 30M+ lines.
    """
    starts = np.flatnonzero(np.r_[True, order_id[1:] != order_id[:-1]])
    lengths = np.diff(np.r_[starts, order_id.size])
    run_order = np.argsort(order_id[starts])
    s, ln = starts[run_order], lengths[run_order]
    offsets = np.cumsum(ln) - ln
    return np.repeat(s - offsets, ln) + np.arange(order_id.size)


def generate(users: int, seed: int, out_dir: str | Path, progress: bool = True) -> Path:
    """Generate the data set for `users` users into out_dir; returns the directory."""
    if users < 1:
        raise ValueError("users must be >= 1")
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    bar = tqdm(total=100, desc="synthetic", unit="%", disable=not progress, file=sys.stderr)

    def stage(name: str, pct: int) -> None:
        bar.set_postfix_str(name)
        bar.update(pct)

    catalog = build_catalog(_rng(seed, 0))
    weights = persona_product_weights(catalog)
    aisle_w = np.stack(
        [np.bincount(catalog.aisle_of, w, len(catalog.aisle_names)) for w in weights]
    )
    u = draw_users(_rng(seed, 1), users, aisle_w, TRAIN_SHARE)
    sampler = build_sampler(catalog, weights)
    assoc = plant_associations(_rng(seed, 2), catalog, N_ASSOCIATIONS)
    total_orders = int(u.n_orders.sum())
    order_ids = _rng(seed, 3).permutation(total_orders).astype(np.int64) + 1
    stage("catalog+users", 5)

    parts = _Parts()
    n_blocks = -(-users // BLOCK_USERS)
    row_offset = 0
    done_pct = 0
    for b in range(n_blocks):
        lo, hi = b * BLOCK_USERS, min(users, (b + 1) * BLOCK_USERS)
        rng = _rng(seed, 100 + b)
        orders = simulate_orders(rng, u, lo, hi)
        block = simulate_block(rng, sampler, u, orders, assoc, lo, hi)
        _collect(parts, u, catalog, orders, block, order_ids, row_offset)
        row_offset += orders.user.size
        pct = int(65 * (b + 1) / n_blocks) - done_pct
        done_pct += pct
        stage(f"baskets block {b + 1}/{n_blocks}", pct)

    _write_all(parts, catalog, out, stage)
    truth.write_truth(out / "truth", catalog, u, assoc, parts.truth, seed, users)
    stage("truth", 100 - bar.n)
    bar.close()
    if progress:
        print(
            f"synthetic: {users} users written to {out} in {time.perf_counter() - t0:.1f}s",
            file=sys.stderr,
        )
    return out


def _collect(
    parts: _Parts,
    u: Users,
    catalog: Catalog,
    orders: Orders,
    block: Block,
    order_ids: np.ndarray,
    row_offset: int,
) -> None:
    """Map block-local rows/indices to the published ids and keep compact arrays."""
    oid = order_ids[row_offset : row_offset + orders.user.size]
    eval_code = np.where(orders.is_last, np.where(u.is_train[orders.user], 1, 2), 0)
    parts.orders.append(
        {
            "order_id": oid,
            "user_id": orders.user + 1,
            "eval_set": eval_code.astype(np.int8),
            "order_number": orders.order_number,
            "dow": orders.dow,
            "hour": orders.hour,
            "days": orders.days,
        }
    )
    parts.prior.append(
        (
            oid[block.prior_row].astype(np.int32),
            catalog.product_id[block.prior_product].astype(np.int32),
            block.prior_cart.astype(np.int16),
            block.prior_reordered.astype(np.int8),
        )
    )
    train = u.is_train[orders.user[block.final_row]]
    parts.train.append(
        (
            oid[block.final_row[train]].astype(np.int32),
            catalog.product_id[block.final_product[train]].astype(np.int32),
            block.final_cart[train].astype(np.int16),
            block.final_reordered[train].astype(np.int8),
        )
    )
    pid = catalog.product_id[block.truth_product]
    srt = np.lexsort((pid, block.truth_user))
    parts.truth.append(
        (
            (block.truth_user[srt] + 1).astype(np.int32),
            pid[srt].astype(np.int32),
            block.truth_prob[srt],
        )
    )


def _lines(chunks: list[tuple[np.ndarray, ...]]) -> pl.DataFrame:
    """Concatenate line chunks and order them by order_id (then cart position)."""
    oid, pid, cart, reord = (np.concatenate(c) for c in zip(*chunks, strict=True))
    perm = _order_id_order(oid)
    return writer.lines_frame(oid[perm], pid[perm], cart[perm], reord[perm])


def _write_all(
    parts: _Parts, catalog: Catalog, out: Path, stage: Callable[[str, int], None]
) -> None:
    """Write the six Kaggle files."""
    cols = {k: np.concatenate([p[k] for p in parts.orders]) for k in parts.orders[0]}
    writer.write_csv(
        writer.orders_frame(
            cols["order_id"],
            cols["user_id"],
            cols["eval_set"],
            cols["order_number"],
            cols["dow"],
            cols["hour"],
            cols["days"],
        ),
        out / "orders.csv",
    )
    stage("orders.csv", 3)
    writer.write_csv(_lines(parts.prior), out / "order_products__prior.csv")
    parts.prior.clear()
    stage("order_products__prior.csv", 17)
    writer.write_csv(_lines(parts.train), out / "order_products__train.csv")
    stage("order_products__train.csv", 2)
    order = np.argsort(catalog.product_id)
    products = pl.DataFrame(
        {
            "product_id": catalog.product_id[order],
            "product_name": [catalog.product_names[i] for i in order],
            "aisle_id": catalog.aisle_of[order] + 1,
            "department_id": catalog.aisle_department[catalog.aisle_of[order]] + 1,
        }
    )
    writer.write_csv(products, out / "products.csv")
    aisles = pl.DataFrame(
        {"aisle_id": np.arange(1, len(catalog.aisle_names) + 1), "aisle": catalog.aisle_names}
    )
    writer.write_csv(aisles, out / "aisles.csv")
    departments = pl.DataFrame(
        {
            "department_id": np.arange(1, len(catalog.department_names) + 1),
            "department": catalog.department_names,
        }
    )
    writer.write_csv(departments, out / "departments.csv")
    stage("catalog files", 1)
