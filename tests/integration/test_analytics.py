"""Analytics marts (models/marts/analytics): real dbt builds, nothing mocked.

- on the real Instacart sample: every mart is non-empty and internally consistent;
- on synthetic data with planted truth: churning users score higher on churn risk, and the
  planted product associations rank among the top lifts of mart_product_pairs;
- `dbt docs generate` works; the RFM rule seed partitions the score grid.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, query

ANALYTICS_MARTS = (
    "mart_user_rfm",
    "mart_rfm_segment_summary",
    "mart_retention_funnel",
    "mart_retention_cohorts",
    "mart_user_churn_risk",
    "mart_order_timing",
    "mart_product_performance",
    "mart_aisle_performance",
    "mart_department_performance",
    "mart_product_pairs",
    "mart_aisle_pairs",
)

# Recall floor for planted associations among the top-K lift pairs (K = number planted). On
# the 3,000-user test set about half the planted pairs are too rare to reach the default
# thresholds at all; the floor is set well below the measured recall (see the report printed).
MIN_PLANTED_RECALL_TOP_K = 0.3
MIN_PLANTED_RECALL_OF_ELIGIBLE = 0.6


def scalar(warehouse: Path, sql: str):
    return query(warehouse, sql)[0][0]


def dbt(args: list[str], warehouse: Path, data_dir: Path, target_path: Path) -> None:
    """Run dbt against `warehouse` with its own target dir (never the shared target/)."""
    env = dict(os.environ)
    env["INSTACART_WAREHOUSE_PATH"] = str(warehouse)
    env["INSTACART_DATA_DIR"] = str(data_dir)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT / "profiles"))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    command = [
        str(Path(sys.executable).parent / "dbt"),
        *args,
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, check=False, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]


def test_rfm_rules_partition_the_score_grid() -> None:
    """Every (r, f, m) in 1..5 matches exactly one rule of the seed (the dbt test, in Python)."""
    with open(PROJECT_ROOT / "seeds" / "rfm_segment_rules.csv", newline="") as handle:
        rules = list(csv.DictReader(handle))
    with open(PROJECT_ROOT / "seeds" / "rfm_segment_actions.csv", newline="") as handle:
        segments = {row["segment"] for row in csv.DictReader(handle)}
    assert {rule["segment"] for rule in rules} <= segments
    for r, f, m in itertools.product(range(1, 6), repeat=3):
        matches = [
            rule["rule_id"]
            for rule in rules
            if int(rule["r_min"]) <= r <= int(rule["r_max"])
            and int(rule["f_min"]) <= f <= int(rule["f_max"])
            and int(rule["m_min"]) <= m <= int(rule["m_max"])
        ]
        assert len(matches) == 1, f"(r, f, m) = ({r}, {f}, {m}) matches rules {matches}"


@pytest.mark.slow
def test_analytics_marts_on_real_sample(sample_warehouse: Path) -> None:
    wh = sample_warehouse
    for mart in ANALYTICS_MARTS:
        assert scalar(wh, f"select count(*) from analytics.{mart}") > 0, f"{mart} is empty"

    users = scalar(wh, "select count(*) from core.dim_users")
    # RFM: one row per user, segment sizes add up, every segment has an action.
    assert scalar(wh, "select count(*) from analytics.mart_user_rfm") == users
    assert scalar(wh, "select sum(user_count) from analytics.mart_rfm_segment_summary") == users
    share_total = scalar(wh, "select sum(user_share) from analytics.mart_rfm_segment_summary")
    assert abs(share_total - 1) < 1e-9
    assert scalar(wh, "select count(*) from analytics.mart_user_rfm where segment is null") == 0
    assert scalar(wh, "select count(distinct segment) from analytics.mart_user_rfm") >= 5

    # Funnel: starts at every user, non-increasing, 100% through order 4 (sample artefact).
    funnel = query(
        wh,
        "select order_number, users_reaching, cumulative_conversion "
        "from analytics.mart_retention_funnel order by order_number",
    )
    assert funnel[0][:2] == (1, users)
    assert [row[0] for row in funnel] == list(range(1, len(funnel) + 1))
    reaching = [row[1] for row in funnel]
    assert all(a >= b for a, b in itertools.pairwise(reaching))
    assert all(row[2] == 1.0 for row in funnel[:4])

    # Cohorts: cohort sizes add up to all users; retention is non-increasing and starts at 1.
    assert (
        scalar(
            wh,
            "select sum(cohort_users) from analytics.mart_retention_cohorts where day_bucket = 0",
        )
        == users
    )
    curves = query(
        wh,
        "select cohort_first_30d_orders, day_bucket, retention_rate "
        "from analytics.mart_retention_cohorts order by 1, 2",
    )
    for _, rows in itertools.groupby(curves, key=lambda row: row[0]):
        rates = [row[2] for row in rows]
        assert rates[0] == 1.0
        assert all(a >= b - 1e-12 for a, b in itertools.pairwise(rates))

    # Churn: one row per user. Backtest (estimate from the gaps before the final order vs the
    # observed final gap): users above the median predicted risk must lapse more often.
    # Mean calibration is printed, not asserted: on the real data the final gap is 30+ more
    # often than the users' history predicts (0.33 observed vs 0.22 predicted on the sample).
    assert scalar(wh, "select count(*) from analytics.mart_user_churn_risk") == users
    predicted, observed, observed_high, observed_low = query(
        wh,
        """
        with risk as (
            select
                backtest_p_final_gap_30plus as p,
                case when final_gap_is_long then 1.0 else 0.0 end as long_gap
            from analytics.mart_user_churn_risk
        ),
        cut as (select median(p) as median_p from risk)
        select
            avg(p),
            avg(long_gap),
            avg(case when p >= median_p then long_gap end),
            avg(case when p < median_p then long_gap end)
        from risk cross join cut
        """,
    )[0]
    print(
        f"churn backtest on the sample: mean predicted {predicted:.3f}, observed {observed:.3f}; "
        f"observed above/below median risk {observed_high:.3f}/{observed_low:.3f}"
    )
    assert observed_high > observed_low + 0.1

    # Timing: the full 7 x 24 grid, counts add up to all orders.
    assert scalar(wh, "select count(*) from analytics.mart_order_timing") == 168
    assert scalar(wh, "select sum(order_count) from analytics.mart_order_timing") == scalar(
        wh, "select count(*) from core.fct_orders"
    )

    # Catalogue: product lines add up to aisle and department lines.
    prior_lines = scalar(wh, "select count(*) from core.fct_order_lines where eval_set = 'prior'")
    assert scalar(wh, "select sum(order_count) from analytics.mart_product_performance") == (
        prior_lines
    )
    assert scalar(wh, "select sum(line_count) from analytics.mart_aisle_performance") == prior_lines
    assert (
        scalar(wh, "select sum(line_count) from analytics.mart_department_performance")
        == prior_lines
    )

    # Pairs: metrics agree with their definitions.
    bad_pairs = scalar(
        wh,
        """
        select count(*) from analytics.mart_product_pairs
        where abs(support - pair_order_count / prior_order_count) > 1e-12
           or abs(lift - support / ((product_a_order_count / prior_order_count)
                                     * (product_b_order_count / prior_order_count))) > 1e-6
           or confidence_a_to_b > 1 or confidence_b_to_a > 1 or lift <= 0
        """,
    )
    assert bad_pairs == 0


def churning_personas(personas: Path) -> set[str]:
    with open(personas, newline="") as handle:
        names = {row["persona"] for row in csv.DictReader(handle)}
    churning = {name for name in names if "churn" in name or "low_engagement" in name}
    assert churning, f"no churning/low-engagement persona among {sorted(names)}"
    return churning


@pytest.mark.slow
def test_planted_churners_score_higher(synthetic_warehouse: Path, synthetic_data_dir: Path) -> None:
    personas = synthetic_data_dir / "truth" / "user_personas.csv"
    churning = sorted(churning_personas(personas))
    placeholders = ", ".join("?" for _ in churning)
    rows = query(
        synthetic_warehouse,
        f"""
        with personas as (
            select user_id, persona
            from read_csv(?, header = true, columns = {{'user_id': 'INTEGER',
                'persona': 'VARCHAR', 'persona_id': 'INTEGER', 'n_orders': 'INTEGER',
                'final_eval_set': 'VARCHAR', 'mean_gap_days': 'DOUBLE', 'n_staples': 'INTEGER',
                'explore_rate': 'DOUBLE', 'fav_mix': 'DOUBLE'}})
        )
        select
            personas.persona in ({placeholders}) as is_churning,
            count(*),
            avg(risk.churn_risk_score),
            avg(risk.p_next_gap_30plus),
            avg(case when risk.churn_risk_band = 'high' then 1.0 else 0.0 end)
        from analytics.mart_user_churn_risk as risk
        inner join personas on risk.user_id = personas.user_id
        group by 1
        order by 1
        """,
        [str(personas), *churning],
    )
    summary = {row[0]: row[1:] for row in rows}
    print(f"churn risk by planted churner flag (n, score, p, high share): {summary}")
    assert set(summary) == {False, True}
    rest, churners = summary[False], summary[True]
    assert churners[1] > rest[1], (churners, rest)
    assert churners[2] > rest[2], (churners, rest)
    assert churners[3] > rest[3], (churners, rest)


def planted_pair_ranks(warehouse: Path, data_dir: Path) -> tuple[int, list[int | None]]:
    """(number of pairs in the mart, lift rank of each planted pair or None if absent)."""
    rows = query(
        warehouse,
        """
        with planted as (
            select distinct
                least(antecedent_product_id, consequent_product_id) as product_a_id,
                greatest(antecedent_product_id, consequent_product_id) as product_b_id
            from read_csv(?, header = true)
        )
        select pairs.lift_rank
        from planted
        left join analytics.mart_product_pairs as pairs
            on planted.product_a_id = pairs.product_a_id
            and planted.product_b_id = pairs.product_b_id
        """,
        [str(data_dir / "truth" / "planted_associations.csv")],
    )
    total = scalar(warehouse, "select count(*) from analytics.mart_product_pairs")
    return total, [row[0] for row in rows]


@pytest.mark.slow
def test_planted_associations_rank_in_top_lifts(
    synthetic_warehouse: Path, synthetic_data_dir: Path
) -> None:
    total, ranks = planted_pair_ranks(synthetic_warehouse, synthetic_data_dir)
    k = len(ranks)
    eligible = [rank for rank in ranks if rank is not None]
    in_top_k = sum(1 for rank in eligible if rank <= k)
    recall_top_k = in_top_k / k
    recall_of_eligible = in_top_k / max(1, min(k, len(eligible)))
    print(
        f"planted associations: {k}; in mart_product_pairs ({total} pairs): {len(eligible)}; "
        f"in the top {k} lifts: {in_top_k} -> recall@{k} = {recall_top_k:.3f}, "
        f"of those reaching the thresholds = {recall_of_eligible:.3f}"
    )
    assert recall_top_k >= MIN_PLANTED_RECALL_TOP_K
    assert recall_of_eligible >= MIN_PLANTED_RECALL_OF_ELIGIBLE


@pytest.mark.slow
def test_lower_pair_threshold_finds_more_planted_pairs(
    synthetic_warehouse: Path, synthetic_data_dir: Path, tmp_path: Path
) -> None:
    """--vars min_pair_orders lowers the threshold: more planted pairs qualify, still on top."""
    warehouse = tmp_path / "pairs.duckdb"
    shutil.copyfile(synthetic_warehouse, warehouse)
    dbt(
        ["run", "--select", "mart_product_pairs", "--vars", "{min_pair_orders: 10}"],
        warehouse,
        synthetic_data_dir,
        tmp_path / "target",
    )
    _, default_ranks = planted_pair_ranks(synthetic_warehouse, synthetic_data_dir)
    total, ranks = planted_pair_ranks(warehouse, synthetic_data_dir)
    k = len(ranks)
    in_top_k = sum(1 for rank in ranks if rank is not None and rank <= k)
    print(f"min_pair_orders=10: {total} pairs, planted recall@{k} = {in_top_k / k:.3f}")
    assert sum(rank is not None for rank in ranks) >= sum(r is not None for r in default_ranks)
    assert in_top_k / k >= MIN_PLANTED_RECALL_TOP_K


@pytest.mark.slow
def test_dbt_docs_generate(sample_warehouse: Path, sample_data_dir: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "docs.duckdb"
    shutil.copyfile(sample_warehouse, warehouse)
    target = tmp_path / "target"
    dbt(["docs", "generate"], warehouse, sample_data_dir, target)
    catalog = (target / "catalog.json").read_text()
    for mart in ANALYTICS_MARTS:
        assert mart in catalog
    manifest = (target / "manifest.json").read_text()
    for exposure in ("dashboard_affinity", "parquet_exports"):
        assert f"exposure.instacart_warehouse.{exposure}" in manifest
