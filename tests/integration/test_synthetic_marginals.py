"""Marginals of ml.synthetic vs. the real Instacart facts (DESIGN section 3), and calibration
of the planted final-order probabilities, on one 6,000-user set generated per module."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from ml.synthetic import generate

pytestmark = pytest.mark.slow

USERS = 6_000
SEED = 11


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """Generate once (a few seconds) and expose the files as typed DuckDB views."""
    d = generate(USERS, SEED, tmp_path_factory.mktemp("synth_marginals"), progress=False)
    c = duckdb.connect()
    c.execute(
        f"""
        create view orders as select * from read_csv('{d}/orders.csv', header = true,
            columns = {{'order_id': 'BIGINT', 'user_id': 'BIGINT', 'eval_set': 'VARCHAR',
            'order_number': 'INT', 'order_dow': 'INT', 'order_hour_of_day': 'INT',
            'days_since_prior_order': 'DOUBLE'}});
        create table prior as select * from read_csv('{d}/order_products__prior.csv');
        create table train as select * from read_csv('{d}/order_products__train.csv');
        create view products as select * from read_csv('{d}/products.csv');
        create view aisles as select * from read_csv('{d}/aisles.csv');
        create view departments as select * from read_csv('{d}/departments.csv');
        create view truth as select * from read_csv('{d}/truth/final_order_probabilities.csv');
        create view personas as select * from read_csv('{d}/truth/user_personas.csv');
        create view planted as select * from read_csv('{d}/truth/planted_associations.csv');
        """
    )
    return c


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return con.execute(sql).fetchone()


def test_catalog_sizes(con: duckdb.DuckDBPyConnection) -> None:
    assert _one(con, "select count(*) from departments")[0] == 21
    assert _one(con, "select count(*) from aisles")[0] == 134
    assert _one(con, "select count(*), count(distinct product_name) from products") == (
        49_688,
        49_688,
    )


def test_orders_per_user(con: duckdb.DuckDBPyConnection) -> None:
    users, mean, lo, hi = _one(
        con,
        "select count(*), avg(n), min(n), max(n) from "
        "(select user_id, count(*) n from orders group by 1)",
    )
    assert users == USERS
    assert abs(mean - 16.59) <= 0.5
    assert lo == 4 and hi == 100
    counts = dict(
        con.execute(
            "select n, count(*) from (select count(*) n from orders group by user_id) group by 1"
        ).fetchall()
    )
    # Skewed: many users near 4, median well below the mean, and a bump at the 100 cap.
    assert counts[4] > counts[5] > counts[8] > counts.get(20, 0)
    assert counts[4] / USERS > 0.08
    assert counts.get(100, 0) > counts.get(99, 0) + counts.get(98, 0)


def test_train_test_split(con: duckdb.DuckDBPyConnection) -> None:
    train, test = _one(
        con,
        "select count(*) filter (where eval_set = 'train'), "
        "count(*) filter (where eval_set = 'test') from orders",
    )
    assert train + test == USERS
    assert abs(train / USERS - 0.636) <= 0.02


def test_basket_sizes(con: duckdb.DuckDBPyConnection) -> None:
    mean, median, hi = _one(
        con,
        "select avg(n), median(n), max(n) from (select count(*) n from prior group by order_id)",
    )
    assert abs(mean - 10.1) <= 1.0
    assert 7 <= median <= 9
    assert hi <= 145


def test_reordered_share(con: duckdb.DuckDBPyConnection) -> None:
    share = _one(con, "select avg(reordered) from prior")[0]
    assert abs(share - 0.59) <= 0.03
    train_share = _one(con, "select avg(reordered) from train")[0]
    assert abs(train_share - 0.60) <= 0.04


def test_train_orders_without_reorder(con: duckdb.DuckDBPyConnection) -> None:
    none_share = _one(
        con,
        "select avg((s = 0)::int) from (select sum(reordered) s from train group by order_id)",
    )[0]
    assert 0.04 <= none_share <= 0.09


def test_days_since_prior(con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        con.execute(
            "select days_since_prior_order, count(*) from orders "
            "where days_since_prior_order is not null group by 1"
        ).fetchall()
    )
    assert min(rows) == 0 and max(rows) == 30 and all(float(k).is_integer() for k in rows)
    total = sum(rows.values())
    share = {int(k): v / total for k, v in rows.items()}
    assert share[7] > 1.3 * max(share[6], share[8])  # weekly peak
    assert share[30] > 5 * share[29] and share[30] > 0.07  # 30 means "30 or more"
    assert share[14] > max(share[13], share[15])
    nulls = _one(con, "select count(*) from orders where days_since_prior_order is null")[0]
    assert nulls == USERS


def test_weekday_and_hour_profiles(con: duckdb.DuckDBPyConnection) -> None:
    dow_sql = "select order_dow, count(*) from orders group by 1 order by 1"
    dow = [r[1] for r in con.execute(dow_sql).fetchall()]
    assert sorted(range(7), key=lambda d: -dow[d])[:2] in ([0, 1], [1, 0])
    hours = dict(
        con.execute("select order_hour_of_day, count(*) from orders group by 1").fetchall()
    )
    total = sum(hours.values())
    day = [hours[h] / total for h in range(10, 17)]
    night = [hours.get(h, 0) / total for h in (0, 1, 2, 3, 4, 5)]
    assert min(day) > 0.05 and max(night) < 0.02
    assert max(hours, key=hours.get) in range(9, 17)


def test_product_popularity_heavy_tailed(con: duckdb.DuckDBPyConnection) -> None:
    sql = "select count(*) from prior group by product_id order by 1 desc"
    counts = np.array([r[0] for r in con.execute(sql).fetchall()])
    total = counts.sum()
    assert counts[:100].sum() / total > 0.12  # a few products dominate
    assert (counts == 1).sum() > 1_000  # and a long tail is bought once
    # Log-log slope of rank vs count in the head is Zipf-like.
    ranks = np.arange(1, 1001)
    slope = np.polyfit(np.log(ranks), np.log(counts[:1000]), 1)[0]
    assert -1.5 < slope < -0.4


def test_truth_is_calibrated(con: duckdb.DuckDBPyConnection) -> None:
    """Observed inclusion per probability decile matches the mean truth probability."""
    rows = con.execute(
        """
        select tr.probability, (t.product_id is not null)::int as y
        from truth tr
        join orders o on o.user_id = tr.user_id and o.eval_set = 'train'
        left join train t on t.order_id = o.order_id and t.product_id = tr.product_id
        """
    ).fetchnumpy()
    p, y = rows["probability"], rows["y"]
    assert p.size > 50_000
    edges = np.quantile(p, np.linspace(0, 1, 11))
    b = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, 9)
    for k in range(10):
        m = b == k
        mean_p, rate = p[m].mean(), y[m].mean()
        se = np.sqrt(max((p[m] * (1 - p[m])).mean(), 1e-12) / m.sum())
        assert abs(rate - mean_p) <= 4 * se + 0.005, (k, mean_p, rate)
    # Positives are exactly the reordered train lines.
    assert y.sum() == _one(con, "select sum(reordered) from train")[0]


def test_oracle_difficulty_is_realistic(con: duckdb.DuckDBPyConnection) -> None:
    """An oracle knowing the truth is good but far from perfect (DESIGN section 4)."""
    from sklearn.metrics import roc_auc_score

    rows = con.execute(
        """
        select tr.user_id, tr.probability, (t.product_id is not null)::int as y
        from truth tr
        join orders o on o.user_id = tr.user_id and o.eval_set = 'train'
        left join train t on t.order_id = o.order_id and t.product_id = tr.product_id
        order by tr.user_id
        """
    ).fetchnumpy()
    uid, p, y = rows["user_id"], rows["probability"], rows["y"]
    assert 0.83 <= roc_auc_score(y, p) <= 0.91
    starts = np.flatnonzero(np.r_[True, uid[1:] != uid[:-1]])
    f1 = []
    for s, e in zip(starts, np.r_[starts[1:], uid.size], strict=True):
        pick, truth_set = p[s:e] >= 0.2, y[s:e] == 1
        pred_none, true_none = not pick.any(), not truth_set.any()
        tp = int((pick & truth_set).sum()) + int(pred_none and true_none)
        n = int(pick.sum()) + int(pred_none) + int(truth_set.sum()) + int(true_none)
        f1.append(2 * tp / n)
    assert 0.40 <= float(np.mean(f1)) <= 0.48


def test_personas_planted(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        select persona, count(*) users, avg(g) gap, avg(n) n_orders
        from personas join (
            select user_id, avg(days_since_prior_order) g, count(*) n from orders group by 1
        ) using (user_id) group by 1
        """
    ).fetchall()
    by = {r[0]: r for r in rows}
    assert len(by) >= 6
    assert by["health_weekly_regular"][2] < 10 < by["bulk_monthly_stocker"][2]
    assert by["low_engagement_churner"][3] < 7
    night = _one(
        con,
        """
        select avg((order_hour_of_day >= 20 or order_hour_of_day <= 2)::int)
        from orders join personas using (user_id) where persona = 'late_night_convenience'
        """,
    )[0]
    assert night > 0.4


def test_planted_associations_have_high_lift(con: duckdb.DuckDBPyConnection) -> None:
    """Most planted pairs are strongly over-represented in the same baskets."""
    lifts = np.array(
        [
            r[0]
            for r in con.execute(
                """
                with n as (select count(distinct order_id)::double n from prior),
                c as (select product_id, count(*) c from prior group by 1),
                pair as (
                    select pl.antecedent_product_id a, pl.consequent_product_id b, count(*) ab
                    from planted pl
                    join prior x on x.product_id = pl.antecedent_product_id
                    join prior y on y.order_id = x.order_id
                        and y.product_id = pl.consequent_product_id
                    group by 1, 2)
                select ab * n.n / (ca.c * cb.c)
                from pair, n, c ca, c cb where ca.product_id = a and cb.product_id = b
                """
            ).fetchall()
        ]
    )
    assert lifts.size >= 200
    assert np.median(lifts) > 50
