"""Format, determinism and truth-consistency checks of ml.synthetic on tiny generated sets."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from ml.synthetic import generate

USERS = 300
SEED = 7
FILES = [
    "orders.csv",
    "order_products__prior.csv",
    "order_products__train.csv",
    "products.csv",
    "aisles.csv",
    "departments.csv",
    "truth/user_personas.csv",
    "truth/planted_associations.csv",
    "truth/final_order_probabilities.csv",
    "truth/manifest.json",
]
HEADERS = {
    "orders.csv": "order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,"
    "days_since_prior_order",
    "order_products__prior.csv": "order_id,product_id,add_to_cart_order,reordered",
    "order_products__train.csv": "order_id,product_id,add_to_cart_order,reordered",
    "products.csv": "product_id,product_name,aisle_id,department_id",
    "aisles.csv": "aisle_id,aisle",
    "departments.csv": "department_id,department",
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small data set shared by the format and truth tests."""
    return generate(USERS, SEED, tmp_path_factory.mktemp("synth") / "a", progress=False)


@pytest.fixture(scope="module")
def con(data: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB views over the generated files, read with declared types (like the warehouse)."""
    c = duckdb.connect()
    c.execute(
        f"""
        create view orders as select * from read_csv('{data}/orders.csv', header = true,
            columns = {{'order_id': 'BIGINT', 'user_id': 'BIGINT', 'eval_set': 'VARCHAR',
            'order_number': 'INT', 'order_dow': 'INT', 'order_hour_of_day': 'INT',
            'days_since_prior_order': 'DOUBLE'}});
        create view prior as select * from read_csv('{data}/order_products__prior.csv');
        create view train as select * from read_csv('{data}/order_products__train.csv');
        create view truth as select * from read_csv('{data}/truth/final_order_probabilities.csv');
        create view products as select * from read_csv('{data}/products.csv');
        """
    )
    return c


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


def test_headers_and_line_endings(data: Path) -> None:
    for name, header in HEADERS.items():
        raw = (data / name).read_bytes()
        assert raw.decode().split("\n", 1)[0] == header, name
        assert b"\r" not in raw and raw.endswith(b"\n"), name


def test_orders_text_format(data: Path) -> None:
    rows = _rows(data / "orders.csv")[1:]
    assert rows
    last: dict[str, list[str]] = {}
    for r in rows:
        assert len(r) == 7
        order_number, days = int(r[3]), r[6]
        # Order 1 has an empty gap; others are written like the Kaggle file: `7.0`, `30.0`.
        if order_number == 1:
            assert days == ""
        else:
            assert re.fullmatch(r"\d{1,2}\.0", days) and 0 <= float(days) <= 30, r
        assert re.fullmatch(r"\d\d", r[5]) and 0 <= int(r[5]) <= 23, r  # hours like `08`
        assert 0 <= int(r[4]) <= 6
        assert r[2] in {"prior", "train", "test"}
        prev = last.get(r[1])
        if prev is not None:
            assert int(prev[3]) + 1 == order_number  # rows are in order_number order per user
        last[r[1]] = r
    users = {r[1] for r in rows}
    assert users == {str(i) for i in range(1, USERS + 1)}
    order_ids = sorted(int(r[0]) for r in rows)
    assert order_ids == list(range(1, len(rows) + 1))
    assert [int(r[0]) for r in rows] != order_ids  # a random permutation, not sorted by user


def test_eval_sets(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """
        select count(*) from (
            select user_id, eval_set, order_number,
                   max(order_number) over (partition by user_id) as n_orders
            from orders)
        where (order_number = n_orders) != (eval_set in ('train', 'test'))
        """
    ).fetchone()[0]
    assert bad == 0
    n = con.execute("select min(c), max(c) from (select count(*) c from orders group by user_id)")
    lo, hi = n.fetchone()
    assert lo >= 4 and hi <= 100


def test_lines_belong_to_the_right_orders(con: duckdb.DuckDBPyConnection) -> None:
    prior_bad = con.execute(
        "select count(*) from prior join orders using (order_id) where eval_set <> 'prior'"
    ).fetchone()[0]
    train_bad = con.execute(
        "select count(*) from train left join orders using (order_id) "
        "where eval_set is distinct from 'train'"
    ).fetchone()[0]
    assert prior_bad == 0 and train_bad == 0
    # Every prior and train order has lines; test orders have none anywhere.
    missing = con.execute(
        """
        select count(*) from orders o where eval_set <> 'test' and not exists (
            select 1 from prior p where p.order_id = o.order_id union all
            select 1 from train t where t.order_id = o.order_id)
        """
    ).fetchone()[0]
    assert missing == 0
    test_lines = con.execute(
        """
        select count(*) from orders o where eval_set = 'test' and o.order_id in (
            select order_id from prior union all select order_id from train)
        """
    ).fetchone()[0]
    assert test_lines == 0


def test_add_to_cart_contiguous_and_unique_products(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("prior", "train"):
        bad = con.execute(
            f"""
            select count(*) from (
                select order_id, count(*) n, count(distinct product_id) d,
                       min(add_to_cart_order) lo, max(add_to_cart_order) hi,
                       count(distinct add_to_cart_order) k
                from {table} group by order_id)
            where n <> d or lo <> 1 or hi <> n or k <> n or n > 145
            """
        ).fetchone()[0]
        assert bad == 0, table


def test_reordered_matches_history(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """
        with lines as (
            select o.user_id, o.order_number, l.product_id, l.reordered
            from (select * from prior union all select * from train) l
            join orders o using (order_id)),
        flagged as (
            select *, row_number() over (
                partition by user_id, product_id order by order_number) as k
            from lines)
        select count(*) from flagged where reordered <> (k > 1)::int
        """
    ).fetchone()[0]
    assert bad == 0
    assert con.execute("select count(distinct reordered) from prior").fetchone()[0] == 2


def test_catalog_files(data: Path, con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(data / "products.csv")[1:]
    assert [int(r[0]) for r in rows] == list(range(1, 49_689))
    names = [r[1] for r in rows]
    assert len(set(names)) == len(names)
    assert any("," in n for n in names)
    # Names with commas are quoted in the raw text, others are not (like the real file).
    raw = (data / "products.csv").read_text().splitlines()[1:]
    for line, name in zip(raw[:2000], names[:2000], strict=True):
        assert (f'"{name}"' in line) == ("," in name)
    aisles = _rows(data / "aisles.csv")[1:]
    departments = _rows(data / "departments.csv")[1:]
    assert len(aisles) == 134 and len(departments) == 21
    assert {int(r[2]) for r in rows} <= set(range(1, 135))
    assert {int(r[3]) for r in rows} == set(range(1, 22))
    orphan = con.execute(
        "select count(*) from prior left join products using (product_id) where aisle_id is null"
    ).fetchone()[0]
    assert orphan == 0


def test_truth_covers_exactly_the_prior_candidates(con: duckdb.DuckDBPyConnection) -> None:
    diff = con.execute(
        """
        with cand as (
            select distinct o.user_id, p.product_id from prior p join orders o using (order_id))
        select (select count(*) from (select user_id, product_id from truth except
                                      select * from cand)),
               (select count(*) from (select * from cand except
                                      select user_id, product_id from truth)),
               (select count(*) from truth),
               (select count(*) from (select distinct user_id, product_id from truth))
        """
    ).fetchone()
    assert diff[0] == 0 and diff[1] == 0 and diff[2] == diff[3]
    lo, hi = con.execute("select min(probability), max(probability) from truth").fetchone()
    assert lo >= 0.0 and hi <= 1.0


def test_reordered_train_lines_have_positive_truth(con: duckdb.DuckDBPyConnection) -> None:
    n, bad = con.execute(
        """
        select count(*), count(*) filter (where tr.probability is null or tr.probability <= 0)
        from train t join orders o using (order_id)
        left join truth tr on tr.user_id = o.user_id and tr.product_id = t.product_id
        where t.reordered = 1
        """
    ).fetchone()
    assert n > 0 and bad == 0
    # Non-reordered train lines are never candidates.
    leak = con.execute(
        """
        select count(*) from train t join orders o using (order_id)
        join truth tr on tr.user_id = o.user_id and tr.product_id = t.product_id
        where t.reordered = 0
        """
    ).fetchone()[0]
    assert leak == 0


def test_truth_personas_and_manifest(data: Path) -> None:
    personas = _rows(data / "truth/user_personas.csv")
    assert personas[0][:2] == ["user_id", "persona"]
    assert len(personas) == USERS + 1
    assert len({r[1] for r in personas[1:]}) >= 6
    pairs = _rows(data / "truth/planted_associations.csv")
    assert pairs[0][:3] == ["antecedent_product_id", "consequent_product_id", "boost"]
    assert len(pairs) > 100
    manifest = (data / "truth/manifest.json").read_text()
    assert f'"seed": {SEED}' in manifest and f'"users": {USERS}' in manifest


def test_deterministic_per_seed(data: Path, tmp_path: Path) -> None:
    same = generate(USERS, SEED, tmp_path / "same", progress=False)
    other = generate(USERS, SEED + 1, tmp_path / "other", progress=False)
    for name in FILES:
        assert (data / name).read_bytes() == (same / name).read_bytes(), name
    for name in ["orders.csv", "order_products__prior.csv", "truth/user_personas.csv"]:
        assert (data / name).read_bytes() != (other / name).read_bytes(), name


def test_cli_writes_files(tmp_path: Path) -> None:
    from ml.synthetic.__main__ import main

    main(["--users", "20", "--seed", "3", "--out", str(tmp_path / "cli"), "--quiet"])
    for name in FILES:
        assert (tmp_path / "cli" / name).is_file(), name


def test_rejects_bad_user_count(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(0, 1, tmp_path / "none", progress=False)
