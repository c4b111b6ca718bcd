"""MetricFlow (`mf query`) over the semantic models returns what plain SQL on the marts says.

Runs the real `mf` CLI on the real-sample warehouse, opened read-only through the dbt profile
(INSTACART_DUCKDB_ACCESS_MODE), with the semantic manifest the session's dbt build wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, query

pytestmark = pytest.mark.slow

EPOCH = dt.date(2000, 1, 1)  # var customer_clock_epoch


def mf_query(warehouse: Path, out: Path, metrics: list[str], group_by: list[str]) -> list[dict]:
    env = {
        **os.environ,
        "INSTACART_WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "INSTACART_DUCKDB_ACCESS_MODE": "read_only",
    }
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "mf"),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
            "--csv",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0 and out.exists(), completed.stdout + completed.stderr
    with out.open() as handle:
        return list(csv.DictReader(handle))


def test_orders_and_reorder_rate_by_customer_day(sample_warehouse: Path, tmp_path: Path) -> None:
    """metric_time is the customer's own clock: day N since first order = epoch + N days."""
    rows = mf_query(
        sample_warehouse, tmp_path / "orders.csv", ["orders", "reorder_rate"], ["metric_time__day"]
    )
    from_mf = {
        (dt.date.fromisoformat(row["metric_time__day"][:10]) - EPOCH).days: (
            int(row["orders"]),
            float(row["reorder_rate"]) if row["reorder_rate"] else None,
        )
        for row in rows
    }
    from_sql = {
        day: (orders, rate)
        for day, orders, rate in query(
            sample_warehouse,
            "select days_since_first_order, count(*), "
            "sum(reordered_lines) / nullif(sum(basket_size), 0) "
            "from core.fct_orders group by 1",
        )
    }
    assert from_mf.keys() == from_sql.keys()
    for day, (orders, rate) in from_sql.items():
        assert from_mf[day][0] == orders, day
        if rate is None:
            assert from_mf[day][1] is None, day
        else:
            assert from_mf[day][1] == pytest.approx(rate, rel=1e-9), day


def test_users_per_segment(sample_warehouse: Path, tmp_path: Path) -> None:
    rows = mf_query(sample_warehouse, tmp_path / "segments.csv", ["users"], ["user__segment"])
    from_mf = {row["user__segment"]: int(row["users"]) for row in rows}
    from_sql = dict(
        query(
            sample_warehouse,
            "select segment, user_count from analytics.mart_rfm_segment_summary "
            "where user_count > 0",
        )
    )
    assert from_mf == from_sql
    assert (
        sum(from_mf.values())
        == query(sample_warehouse, "select count(*) from core.dim_users")[0][0]
    )
