"""Basket contents: staples, exploration, planted associations, and the final order.

Per user:
- a repertoire of staples, each with a base log-odds of inclusion and an active window of
  order numbers [start, end) (adopted late / abandoned early, so recency carries signal; a
  staple active at the final order was active in a few prior orders, and a dropped one was
  inactive in a few, so neither change is a hidden event at the final order itself);
- exploration: Poisson(explore * e^context) draws per order from the user's product
  distribution pi_u (persona distribution mixed with three favourite aisles);
- planted associations A -> B: when A is in a basket, B is added with probability boost;
- trials: a product first bought outside the repertoire is re-bought in each later order with
  its own small probability (most one-off purchases stay one-off, some come back).

Every order has a context (log-odds shift shared by its items; see orders.py). Prior orders are
simulated directly; in the final order each previously bought product p is included
independently with an exact, known probability
    q0 = 1 - (1 - staple_p) * (1 - trial_p) * exp(-explore_T * pi_u(p)),
(the same mechanisms as in prior orders, with exploration hits of known products split off by
Poisson thinning), raised to 1 - (1 - q0_B) * (1 - boost * q0_A) for a consequent B whose
antecedent A was bought before. New products enter the final order only through the other
parts of the same mechanisms, so they never disturb these probabilities. The truth written is
that probability averaged over the final order's own random shock (the unobservable part of
its context): the exact chance of inclusion before the order happens, given the user's true
(hidden) staples, which a model can only estimate from the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.synthetic.catalog import Catalog
from ml.synthetic.orders import CONTEXT_NOISE, Orders
from ml.synthetic.personas import PERSONAS, Users

MAX_BASKET = 145
# Share of staples adopted after the first order; only users with 7+ orders can adopt late or
# drop a staple (both windows below need room), so the realised shares are lower.
STAPLE_LATE_ADOPTION = 0.10
STAPLE_ABANDONED = 0.15  # share of staples dropped before the final order
# A change of repertoire right before the final order is a hidden event no model could
# foresee, and the truth would reward knowing it. So a staple active at the final order was
# active in at least ADOPT_MIN_OBSERVED_ORDERS prior orders (bought in each with its own
# probability), and a dropped one is inactive in at least ABANDON_MIN_OBSERVED_ORDERS orders
# before the final one. (With a 3-order abandonment minimum, none for adoption, and a quarter
# of staples adopted late, the model reached 0.85 of the oracle's mean F1 on 40,000 users; the
# oracle knew of late adoptions the history barely showed.)
ABANDON_MIN_OBSERVED_ORDERS = 5
ADOPT_MIN_OBSERVED_ORDERS = 5
# Per-product shift of staple log-odds, shared across users. Most of the staples' spread is
# the product's (a model learns it from every buyer's history); the per-(user, product)
# remainder, which a model must estimate from one user's few orders, is kept small, so the
# truth is what a well-specified model could learn rather than hidden per-pair luck.
PRODUCT_LOGIT_SD = 1.2
# Fixed seed: reorderability is a property of the catalogue (like its names), not of a run.
PRODUCT_REORDERABILITY_SEED = 2017
MIN_ITEM_LOGIT_SD = 0.25  # floor of the remaining per-(user, product) spread
# Shift of every staple's log-odds: the product spread above raises the mean inclusion
# probability (the logistic curve is convex below 0), and this brings the basket size and the
# reordered share back to the real data's (tests/integration/test_synthetic_marginals.py).
STAPLE_LOGIT_SHIFT = -0.1
USER_LOGIT_SD = 0.6  # per-user shift of all staple log-odds (reorder propensity)
# Mean, sd of weak staples' base log-odds (bought now and then, well apart from strong ones).
WEAK_LOGIT = (-4.0, 0.7)
# Every product first bought outside the repertoire (exploration, association) is "tried": from
# the next order on it is re-bought with its own small probability sigmoid(logit) per order.
TRIAL_LOGIT = (-3.55, 0.5)
# Scale of every persona's exploration rate: with no staple change hidden at the final order,
# the final orders hold more known products than the real train orders (reordered share 0.60);
# more exploration keeps both reordered shares at the real data's.
EXPLORE_SCALE = 1.15
NEW_ITEM_CART_DELAY = 0.5  # new items tend to be added to the cart after staples

# Points of the Gauss-Hermite rule that averages final-order probabilities over the shock.
SHOCK_QUADRATURE_NODES = 15


@dataclass(frozen=True)
class Sampler:
    """Vectorised product sampling from pi_u (see module docstring)."""

    persona_weights: np.ndarray  # (n_personas, P)
    persona_cdf: np.ndarray  # concatenated: k + cdf of persona k, length n_personas * P
    within: np.ndarray  # within-aisle popularity (P,)
    within_cdf: np.ndarray  # aisle + cumulative within-aisle popularity (P,)
    aisle_of: np.ndarray
    aisle_start: np.ndarray
    popularity: np.ndarray  # global popularity (P,)
    reorder_logit: np.ndarray  # product's own reorderability, shared by all its buyers (P,)

    @property
    def n_products(self) -> int:
        """Number of products in the catalog."""
        return self.within.size


def build_sampler(catalog: Catalog, persona_weights: np.ndarray) -> Sampler:
    """Precompute the concatenated CDFs used for inverse-CDF sampling with one searchsorted."""
    k = persona_weights.shape[0]
    cdfs = np.cumsum(persona_weights, axis=1)
    cdfs[:, -1] = 1.0
    persona_cdf = (cdfs + np.arange(k)[:, None]).ravel()
    within_cdf = np.empty_like(catalog.within_aisle)
    for a in range(len(catalog.aisle_names)):
        lo, hi = catalog.aisle_start[a], catalog.aisle_start[a + 1]
        c = np.cumsum(catalog.within_aisle[lo:hi])
        c[-1] = 1.0
        within_cdf[lo:hi] = a + c
    return Sampler(
        persona_weights=persona_weights,
        persona_cdf=persona_cdf,
        within=catalog.within_aisle,
        within_cdf=within_cdf,
        aisle_of=catalog.aisle_of,
        aisle_start=catalog.aisle_start,
        popularity=catalog.popularity,
        reorder_logit=product_reorder_logits(catalog.popularity.size),
    )


def product_reorder_logits(n_products: int) -> np.ndarray:
    """Each product's shift of its staples' log-odds (milk is rebought, spices rarely).

    Shared by every buyer, so a model can learn it from other users' histories, as it can on
    the real data (product reorder rates differ widely there).
    """
    rng = np.random.default_rng(PRODUCT_REORDERABILITY_SEED)
    return PRODUCT_LOGIT_SD * rng.standard_normal(n_products)


def draw_products(
    rng: np.random.Generator, s: Sampler, users: Users, user: np.ndarray
) -> np.ndarray:
    """One product index per entry of `user`, drawn from that user's pi_u."""
    k = user.size
    n_p = s.n_products
    fav = rng.random(k) < users.fav_mix[user]
    u = rng.random(k)
    # Persona part: one searchsorted over the concatenated CDFs, offset by persona index.
    persona = users.persona[user]
    idx = np.searchsorted(s.persona_cdf, persona + u, side="right")
    out = np.minimum(idx - persona * n_p, n_p - 1)
    # Favourite-aisle part: pick one of the three aisles, then a product inside it.
    f = np.flatnonzero(fav)
    if f.size:
        cw = np.cumsum(users.fav_weights[user[f]], axis=1)
        which = (rng.random(f.size)[:, None] > cw[:, :-1]).sum(axis=1)
        aisle = users.fav_aisles[user[f], which]
        j = np.searchsorted(s.within_cdf, aisle + u[f], side="right")
        out[f] = np.clip(j, s.aisle_start[aisle], s.aisle_start[aisle + 1] - 1)
    return out


def explore_prob(s: Sampler, users: Users, user: np.ndarray, product: np.ndarray) -> np.ndarray:
    """pi_u(p): the probability that one exploration draw of `user` yields `product`."""
    mix = users.fav_mix[user]
    base = s.persona_weights[users.persona[user], product]
    aisle = s.aisle_of[product]
    fav_w = (users.fav_weights[user] * (users.fav_aisles[user] == aisle[:, None])).sum(axis=1)
    return (1.0 - mix) * base + mix * fav_w * s.within[product]


@dataclass(frozen=True)
class Associations:
    """Planted complementary pairs A -> B (disjoint antecedent and consequent sets)."""

    antecedent: np.ndarray
    consequent: np.ndarray
    boost: np.ndarray
    consequent_of: np.ndarray  # (P,) consequent of an antecedent, else -1
    boost_of: np.ndarray  # (P,) boost of an antecedent, else 0
    antecedent_of: np.ndarray  # (P,) antecedent of a consequent, else -1


def plant_associations(
    rng: np.random.Generator, catalog: Catalog, n_pairs: int = 300
) -> Associations:
    """Pick pairs in different aisles: mid-popular antecedents, less popular consequents.

    A consequent bought mostly because of its antecedent gets lift ~ 1 / P(antecedent), so
    mid-popular antecedents (enough support at a few thousand users) give pairs at the top of
    a lift ranking.
    """
    rank = np.argsort(-catalog.popularity)
    ante_pool = rng.permutation(rank[300:3000])
    cons_pool = rng.permutation(rank[2000:12000])
    used = np.zeros(catalog.popularity.size, dtype=bool)
    ante: list[int] = []
    cons: list[int] = []
    ci = 0
    for a in ante_pool:
        if len(ante) == n_pairs:
            break
        if used[a]:
            continue
        while ci < cons_pool.size and (
            used[cons_pool[ci]] or catalog.aisle_of[cons_pool[ci]] == catalog.aisle_of[a]
        ):
            ci += 1
        if ci == cons_pool.size:
            break
        b = cons_pool[ci]
        used[a] = used[b] = True
        ante.append(int(a))
        cons.append(int(b))
    antecedent = np.asarray(ante, dtype=np.int64)
    consequent = np.asarray(cons, dtype=np.int64)
    boost = np.round(rng.uniform(0.3, 0.6, antecedent.size), 3)
    n_p = catalog.popularity.size
    consequent_of = np.full(n_p, -1, dtype=np.int64)
    consequent_of[antecedent] = consequent
    boost_of = np.zeros(n_p)
    boost_of[antecedent] = boost
    antecedent_of = np.full(n_p, -1, dtype=np.int64)
    antecedent_of[consequent] = antecedent
    return Associations(antecedent, consequent, boost, consequent_of, boost_of, antecedent_of)


@dataclass(frozen=True)
class Staples:
    """Repertoires of a block of users (grouped by local user)."""

    product: np.ndarray
    logit: np.ndarray
    start: np.ndarray  # first order number where active
    end: np.ndarray  # first order number where no longer active
    first: np.ndarray  # offsets per local user (len m + 1)


def draw_staples(rng: np.random.Generator, s: Sampler, users: Users, lo: int, hi: int) -> Staples:
    """Distinct staple products per user, with base log-odds and active windows."""
    m = hi - lo
    k = users.n_staples[lo:hi]
    n_draw = k + 4 + k // 2  # oversample, then keep k distinct products
    local = np.repeat(np.arange(m), n_draw)
    # Best of two draws by global popularity: repertoires lean to popular products (as real
    # reorders do), which also keeps single-user co-purchase pairs of rare items uncommon.
    one = draw_products(rng, s, users, local + lo)
    two = draw_products(rng, s, users, local + lo)
    product = np.where(s.popularity[one] >= s.popularity[two], one, two)
    key = local * s.n_products + product
    _, first_idx = np.unique(key, return_index=True)
    local, product = local[first_idx], product[first_idx]
    # Random order within user, keep the first k.
    order = np.lexsort((rng.random(local.size), local))
    local, product = local[order], product[order]
    starts = np.searchsorted(local, np.arange(m + 1))
    rank = np.arange(local.size) - starts[local]
    keep = rank < k[local]
    local, product = local[keep], product[keep]
    first = np.searchsorted(local, np.arange(m + 1))

    persona = users.persona[lo + local]
    weak = rng.random(local.size) < np.array([p.weak_share for p in PERSONAS])[persona]
    mean = np.array([p.staple_logit[0] for p in PERSONAS])[persona]
    sd = np.array([p.staple_logit[1] for p in PERSONAS])[persona]
    mean = np.where(weak, WEAK_LOGIT[0], mean) + STAPLE_LOGIT_SHIFT
    sd = np.where(weak, WEAK_LOGIT[1], sd)
    # The product's shared reorderability takes the per-item spread. PRODUCT_LOGIT_SD is wider
    # than every persona's and the weak staples' sd, so the per-(user, product) remainder is the
    # floor MIN_ITEM_LOGIT_SD and the total spread about 1.23 whatever those sds say.
    sd = np.sqrt(np.maximum(sd**2 - PRODUCT_LOGIT_SD**2, MIN_ITEM_LOGIT_SD**2))
    user_shift = (USER_LOGIT_SD * rng.standard_normal(m))[local]
    logit = mean + user_shift + s.reorder_logit[product] + sd * rng.standard_normal(local.size)
    n = users.n_orders[lo + local]
    # start in 2 .. n - ADOPT_MIN_OBSERVED_ORDERS (the orders start..n-1 may hold the staple)
    late_span = np.maximum(n - 1 - ADOPT_MIN_OBSERVED_ORDERS, 0)
    late = (rng.random(local.size) < STAPLE_LATE_ADOPTION) & (late_span > 0)
    start = np.where(late, 2 + np.floor(rng.random(local.size) * late_span), 1).astype(np.int64)
    dropped = rng.random(local.size) < STAPLE_ABANDONED
    # end in start + 1 .. n - ABANDON_MIN_OBSERVED_ORDERS (the orders end..n lack the staple)
    last_end = n - ABANDON_MIN_OBSERVED_ORDERS
    span = np.maximum(last_end - start, 0)
    end_drop = start + 1 + np.floor(rng.random(local.size) * span)
    end = np.where(dropped & (span > 0), end_drop, n + 1).astype(np.int64)
    return Staples(product, logit, start, end, first)


@dataclass(frozen=True)
class Block:
    """Lines and truth of one block of users (row indices are local to the block's orders)."""

    prior_row: np.ndarray
    prior_product: np.ndarray
    prior_cart: np.ndarray
    prior_reordered: np.ndarray
    final_row: np.ndarray
    final_product: np.ndarray
    final_cart: np.ndarray
    final_reordered: np.ndarray
    truth_user: np.ndarray
    truth_product: np.ndarray
    truth_prob: np.ndarray


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function (log-odds -> probability)."""
    return 1.0 / (1.0 + np.exp(-x))


def _explore_rate(users: Users, user: np.ndarray, context: np.ndarray) -> np.ndarray:
    """Expected exploration draws of an order: personal rate scaled by the order context."""
    return EXPLORE_SCALE * users.explore[user] * np.exp(context)


def _add_associations(
    rng: np.random.Generator, assoc: Associations, row: np.ndarray, product: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lines added by planted associations (row, consequent) for antecedents in `product`."""
    fire = rng.random(product.size) < assoc.boost_of[product]
    return row[fire], assoc.consequent_of[product[fire]]


def _cart_order(
    rng: np.random.Generator, row: np.ndarray, is_new: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Permutation putting lines in (order, cart position) order, and 1-based positions."""
    key = (rng.random(row.size) + NEW_ITEM_CART_DELAY * is_new) / (1.0 + NEW_ITEM_CART_DELAY)
    perm = np.argsort(row + 0.999 * key, kind="stable")
    r = row[perm]
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    lengths = np.diff(np.r_[starts, r.size])
    cart = np.arange(r.size) - np.repeat(starts, lengths) + 1
    return perm, cart


def _prior_lines(
    rng: np.random.Generator,
    s: Sampler,
    users: Users,
    orders: Orders,
    staples: Staples,
    assoc: Associations,
    lo: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw lines of all prior orders (duplicates not yet removed) and the trial parameters.

    Returns (row, product, is_new, trial_key, trial_logit); trial_key = local user * P +
    product, sorted, for every non-staple product bought in a prior order.
    """
    rows = np.flatnonzero(~orders.is_last)
    local = orders.user[rows] - lo
    k = np.diff(staples.first)[local]
    # Staple trials: every staple of the user in every prior order.
    trial_row = np.repeat(rows, k)
    offs = np.arange(trial_row.size) - np.repeat(np.cumsum(k) - k, k)
    st = staples.first[np.repeat(local, k)] + offs
    t = orders.order_number[trial_row]
    active = (staples.start[st] <= t) & (t < staples.end[st])
    trial_row, st = trial_row[active], st[active]
    p = _sigmoid(staples.logit[st] + orders.context[trial_row])
    hit = rng.random(p.size) < p
    s_row, s_prod = trial_row[hit], staples.product[st[hit]]
    # Exploration draws.
    n_exp = rng.poisson(_explore_rate(users, orders.user[rows], orders.context[rows]))
    e_row = np.repeat(rows, n_exp)
    e_prod = draw_products(rng, s, users, orders.user[e_row])
    # Orders that drew nothing get one exploration item (every real order has a line).
    counts = np.bincount(np.r_[s_row, e_row], minlength=orders.user.size)[rows]
    empty = rows[counts == 0]
    x_prod = draw_products(rng, s, users, orders.user[empty])
    row = np.r_[s_row, e_row, empty]
    product = np.r_[s_prod, e_prod, x_prod]
    a_row, a_prod = _add_associations(rng, assoc, row, product)
    row, product = np.r_[row, a_row], np.r_[product, a_prod]
    is_new = np.r_[np.zeros(s_row.size, bool), np.ones(row.size - s_row.size, bool)]
    r_row, r_prod, trial_key, trial_logit = _trial_rebuys(
        rng, s, users, orders, staples, row, product, lo
    )
    return (
        np.r_[row, r_row],
        np.r_[product, r_prod],
        np.r_[is_new, np.zeros(r_row.size, bool)],
        trial_key,
        trial_logit,
    )


def _trial_rebuys(
    rng: np.random.Generator,
    s: Sampler,
    users: Users,
    orders: Orders,
    staples: Staples,
    row: np.ndarray,
    product: np.ndarray,
    lo: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Re-buys of tried (non-staple) products in later prior orders.

    With a constant per-order probability the re-buy orders form a Bernoulli process, so they
    are drawn by geometric jumps (a few vectorised rounds) instead of one trial per order.
    """
    n_p = s.n_products
    m = staples.first.size - 1
    local = orders.user[row] - lo
    key = local * n_p + product
    t = orders.order_number[row]
    srt = np.lexsort((t, key))
    key_s, t_s = key[srt], t[srt]
    first = np.r_[True, key_s[1:] != key_s[:-1]]
    pair, t0 = key_s[first], t_s[first]
    st_local = np.repeat(np.arange(m), np.diff(staples.first))
    st_key = np.sort(st_local * n_p + staples.product)
    pos = np.minimum(np.searchsorted(st_key, pair), max(st_key.size - 1, 0))
    tried = ~((st_key.size > 0) & (st_key[pos] == pair))
    pair, t0 = pair[tried], t0[tried]
    logit = TRIAL_LOGIT[0] + TRIAL_LOGIT[1] * rng.standard_normal(pair.size)
    p = _sigmoid(logit)
    p_local = pair // n_p
    last_prior = users.n_orders[lo + p_local] - 1  # last prior order number of the user
    first_row = orders.first_row[p_local]  # row of the user's order 1 in `orders`
    out_row: list[np.ndarray] = []
    out_item: list[np.ndarray] = []
    idx = np.arange(pair.size)
    cur = t0.copy()
    while idx.size:
        cur = cur + rng.geometric(p[idx])
        alive = cur <= last_prior[idx]
        idx, cur = idx[alive], cur[alive]
        out_row.append(first_row[idx] + cur - 1)
        out_item.append(idx)
    r_row = np.concatenate(out_row) if out_row else np.zeros(0, np.int64)
    items = np.concatenate(out_item) if out_item else np.zeros(0, np.int64)
    return r_row, pair[items] % n_p, pair, logit


def simulate_block(
    rng: np.random.Generator,
    s: Sampler,
    users: Users,
    orders: Orders,
    assoc: Associations,
    lo: int,
    hi: int,
) -> Block:
    """Simulate all baskets of users lo..hi-1 (their timelines are in `orders`)."""
    staples = draw_staples(rng, s, users, lo, hi)
    row, product, is_new, trial_key, trial_logit = _prior_lines(
        rng, s, users, orders, staples, assoc, lo
    )

    # Cart order, then cap (rarely binds), then drop duplicates and flag reorders.
    perm, cart = _cart_order(rng, row, is_new)
    keep = cart <= MAX_BASKET
    row, product = row[perm][keep], product[perm][keep]
    local = orders.user[row] - lo
    t = orders.order_number[row]
    n_p = s.n_products
    srt = np.argsort((local * n_p + product) * 128 + t, kind="stable")
    pair = (local * n_p + product)[srt]
    tt = t[srt]
    same_pair = np.r_[False, pair[1:] == pair[:-1]]
    dup = same_pair & np.r_[False, tt[1:] == tt[:-1]]
    reordered_sorted = same_pair & ~dup
    reordered = np.empty(row.size, bool)
    reordered[srt] = reordered_sorted
    is_dup = np.empty(row.size, bool)
    is_dup[srt] = dup
    row, product, reordered = row[~is_dup], product[~is_dup], reordered[~is_dup]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    cart = np.arange(row.size) - np.repeat(starts, np.diff(np.r_[starts, row.size])) + 1

    # Candidates: distinct (user, product) bought in prior orders.
    cand_key = np.unique(pair)
    trial = (trial_key, _sigmoid(trial_logit))
    final = _final_order(rng, s, users, orders, staples, assoc, lo, cand_key, trial)
    return Block(
        prior_row=row,
        prior_product=product,
        prior_cart=cart,
        prior_reordered=reordered,
        **final,
    )


def _final_order(
    rng: np.random.Generator,
    s: Sampler,
    users: Users,
    orders: Orders,
    staples: Staples,
    assoc: Associations,
    lo: int,
    cand_key: np.ndarray,
    trial: tuple[np.ndarray, np.ndarray],
) -> dict[str, np.ndarray]:
    """Exact candidate probabilities and the drawn final baskets (see module docstring)."""
    n_p = s.n_products
    m = staples.first.size - 1
    last_row = np.flatnonzero(orders.is_last)  # one per local user, in user order
    c_local = cand_key // n_p
    c_prod = cand_key % n_p
    c_user = c_local + lo
    ctx = orders.context[last_row]
    n_final = users.n_orders[lo : lo + m]

    # Staple part: staples active in the final order.
    st_local = np.repeat(np.arange(m), np.diff(staples.first))
    st_active = (staples.start <= n_final[st_local]) & (n_final[st_local] < staples.end)
    st_key = st_local * n_p + staples.product
    pos = np.minimum(np.searchsorted(cand_key, st_key), max(cand_key.size - 1, 0))
    st_known = (cand_key.size > 0) & (cand_key[pos] == st_key)
    cand_staple = np.full(cand_key.size, -1, dtype=np.int64)
    cand_staple[pos[st_known]] = np.flatnonzero(st_known)
    cand_staple_active = (cand_staple >= 0) & st_active[np.maximum(cand_staple, 0)]
    cand_staple_logit = staples.logit[np.maximum(cand_staple, 0)]
    # Exploration part (Poisson thinning): hits of p are Poisson(rate * pi_u(p)).
    explore_share = explore_prob(s, users, c_user, c_prod)
    # Trial part: tried products keep their own re-buy probability.
    tkey, tprob = trial
    tpos = np.minimum(np.searchsorted(tkey, cand_key), max(tkey.size - 1, 0))
    is_tried = (tkey.size > 0) & (tkey[tpos] == cand_key)
    q_trial = np.where(is_tried, tprob[tpos], 0.0)
    # Associations: consequent B whose antecedent A is also a candidate of the same user.
    a_prod = assoc.antecedent_of[c_prod]
    a_key = c_local * n_p + a_prod
    apos = np.minimum(np.searchsorted(cand_key, a_key), max(cand_key.size - 1, 0))
    has_a = (a_prod >= 0) & (cand_key[apos] == a_key)
    boost = np.where(has_a, assoc.boost_of[np.maximum(a_prod, 0)], 0.0)

    def inclusion(order_context: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(q0, q) of every candidate for a given context of each user's final order."""
        q_staple = np.where(
            cand_staple_active, _sigmoid(cand_staple_logit + order_context[c_local]), 0.0
        )
        rate = _explore_rate(users, c_user, order_context[c_local])
        q_explore = -np.expm1(-rate * explore_share)
        q0 = 1.0 - (1.0 - q_staple) * (1.0 - q_trial) * (1.0 - q_explore)
        return q0, np.where(has_a, 1.0 - (1.0 - q0) * (1.0 - boost * q0[apos]), q0)

    # The draws use the order's realised context (shock included) ...
    q0, _ = inclusion(ctx)
    st_p = np.where(st_active, _sigmoid(staples.logit + ctx[st_local]), 0.0)
    # ... while the truth is the exact probability before the shock is drawn: the average of q
    # over the shock's normal distribution (Gauss-Hermite). The shock is fresh for the final
    # order and unobservable, so no model could know it; an oracle that did would also know
    # each basket's size in advance.
    nodes, weights = np.polynomial.hermite_e.hermegauss(SHOCK_QUADRATURE_NODES)
    weights = weights / weights.sum()
    q = np.zeros(cand_key.size)
    for node, weight in zip(nodes, weights, strict=True):
        q += weight * inclusion(orders.expected_context[last_row] + CONTEXT_NOISE * node)[1]

    # Draw: base Bernoulli(q0) for every candidate, then associations from drawn antecedents.
    base = rng.random(q0.size) < q0
    fire = rng.random(q0.size) < boost
    drawn = base | (has_a & fire & base[apos])

    # New (never bought) products: staples not yet bought, exploration misses of candidates,
    # associations from drawn antecedents to unknown consequents; one item if empty.
    new_st = st_active & ~st_known & (rng.random(st_p.size) < st_p)
    n_local = st_local[new_st]
    n_prod = staples.product[new_st]
    n_exp = rng.poisson(_explore_rate(users, np.arange(lo, lo + m), ctx))
    e_local = np.repeat(np.arange(m), n_exp)
    e_prod = draw_products(rng, s, users, e_local + lo)
    d_local, d_prod = c_local[drawn], c_prod[drawn]
    cons = assoc.consequent_of[d_prod]
    fire_new = (cons >= 0) & (rng.random(d_prod.size) < assoc.boost_of[d_prod])
    n_local = np.r_[n_local, e_local, d_local[fire_new]]
    n_prod = np.r_[n_prod, e_prod, cons[fire_new]]
    # Remove new lines that are actually candidates (handled exactly above) or duplicates.
    n_key = n_local * n_p + n_prod
    npos = np.minimum(np.searchsorted(cand_key, n_key), max(cand_key.size - 1, 0))
    unknown = ~((cand_key.size > 0) & (cand_key[npos] == n_key))
    n_key = np.unique(n_key[unknown])
    n_local, n_prod = n_key // n_p, n_key % n_p
    # Every order needs a line: empty baskets get one unknown product from exploration.
    size = np.bincount(d_local, minlength=m) + np.bincount(n_local, minlength=m)
    empty = np.flatnonzero(size == 0)
    if empty.size:
        x_local, x_prod = _unknown_items(rng, s, users, empty, lo, cand_key)
        n_local, n_prod = np.r_[n_local, x_local], np.r_[n_prod, x_prod]

    f_local = np.r_[d_local, n_local]
    f_prod = np.r_[d_prod, n_prod]
    f_reord = np.r_[np.ones(d_local.size, bool), np.zeros(n_local.size, bool)]
    f_row = last_row[f_local]
    perm, cart = _cart_order(rng, f_row, ~f_reord)
    # Cap only ever drops new items' positions beyond 145 (practically never binds).
    keep = cart <= MAX_BASKET
    return {
        "final_row": f_row[perm][keep],
        "final_product": f_prod[perm][keep],
        "final_cart": cart[keep],
        "final_reordered": f_reord[perm][keep],
        "truth_user": c_user,
        "truth_product": c_prod,
        "truth_prob": q,
    }


def _unknown_items(
    rng: np.random.Generator,
    s: Sampler,
    users: Users,
    local: np.ndarray,
    lo: int,
    cand_key: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One exploration product per local user that the user has not bought before."""
    n_p = s.n_products
    out = np.full(local.size, -1, dtype=np.int64)
    todo = np.arange(local.size)
    for _ in range(50):
        prod = draw_products(rng, s, users, local[todo] + lo)
        key = local[todo] * n_p + prod
        pos = np.minimum(np.searchsorted(cand_key, key), max(cand_key.size - 1, 0))
        ok = ~((cand_key.size > 0) & (cand_key[pos] == key))
        out[todo[ok]] = prod[ok]
        todo = todo[~ok]
        if todo.size == 0:
            break
    # Fallback (never expected): any product id the user has not bought.
    for i in todo:
        bought = cand_key[(cand_key // n_p) == local[i]] % n_p
        out[i] = int(np.setdiff1d(np.arange(n_p), bought)[0])
    return local, out
