"""A copy of the built synthetic warehouse that also holds the tables other capabilities add.

Clusters, recommendations, experiments and the demand forecast are built by other parts of
the project; until their models land, the dashboard pages for them are checked against tables
with exactly the agreed columns, derived here by SQL from real marts of the same warehouse
(so joins to users and products hold). A table the warehouse already has is left untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard.components import format_value
from dashboard.queries import PageSpec, bind

from conftest import query

CONTRACT_TABLES = {
    "ml.ml_user_clusters": """
        select user_id, segment_priority % 4 as cluster_id,
            1.0 / r_score as distance, 0.5 + 0.1 * f_score as confidence,
            r_score + 0.1 * m_score as pc1, f_score - 0.1 * m_score as pc2
        from analytics.mart_user_rfm
    """,
    "ml.ml_cluster_profiles": """
        select segment_priority % 4 as cluster_id, count(*) as user_count,
            count(*) / sum(count(*)) over () as user_share,
            'Cluster ' || (segment_priority % 4) as persona_label,
            min(campaign_action) as campaign_action, 'fresh fruits, yogurt' as top_aisles
        from analytics.mart_user_rfm
        group by 1
    """,
    "ml.ml_user_recommendations": """
        select user_id, rank, product_id, score, source
        from (
            select user_id, product_id, up_order_rate as score, 'reorder' as source,
                row_number() over (
                    partition by user_id order by up_order_rate desc, product_id
                ) as rank
            from features.feat_user_product
            where target_offset = 0
        )
        where rank <= 10
    """,
    "ml.ml_experiment_results": """
        select 'reorder_reminder' as experiment, 'orders_per_user' as outcome,
            'difference_in_means' as analysis, segment, mean_reordered_share - 0.4 as estimate,
            mean_reordered_share - 0.5 as ci_low, mean_reordered_share - 0.3 as ci_high,
            user_count as n_treatment, user_count as n_control
        from analytics.mart_rfm_segment_summary
    """,
    "forecast.mart_demand_forecast": """
        select 'department' as level, department_id as level_id, department_name as level_name,
            7 as horizon_days, line_count / 10.0 as expected_units,
            order_count / 10.0 as expected_orders
        from analytics.mart_department_performance
    """,
    "forecast.mart_order_load_profile": """
        select order_dow, order_hour_of_day, order_count, order_share as share
        from analytics.mart_order_timing
    """,
}


def add_contract_tables(source: Path, target: Path) -> Path:
    """Copy `source` to `target` and add every contract table it does not have yet."""
    shutil.copyfile(source, target)
    with duckdb.connect(str(target)) as connection:
        existing = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
        for qualified, sql in CONTRACT_TABLES.items():
            schema, table = qualified.split(".")
            if table in existing:
                continue
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(f"create table {qualified} as {sql}")
    return target


@pytest.fixture(scope="session")
def complete_warehouse(synthetic_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic warehouse plus the contract tables: every dashboard page has data."""
    return add_contract_tables(
        synthetic_warehouse, tmp_path_factory.mktemp("dashboard") / "complete.duckdb"
    )


@pytest.fixture(scope="session")
def partial_warehouse(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse without the contract tables: those pages must say what to run."""
    target = tmp_path_factory.mktemp("dashboard") / "partial.duckdb"
    shutil.copyfile(sample_warehouse, target)
    with duckdb.connect(str(target)) as connection:
        for qualified in CONTRACT_TABLES:
            table = qualified.split(".")[1]
            for schema, table_type in connection.execute(
                "select table_schema, table_type from information_schema.tables "
                "where table_name = ?",
                [table],
            ).fetchall():
                kind = "view" if table_type == "VIEW" else "table"
                connection.execute(f"drop {kind} {schema}.{table} cascade")
    return target


def warehouse_schemas(warehouse: Path) -> dict[str, str]:
    rows = query(
        warehouse,
        "select table_name, min(table_schema) from information_schema.tables group by 1",
    )
    return dict(rows)


def expected_headlines(warehouse: Path, spec: PageSpec) -> dict[str, str]:
    """Each headline's label -> its SQL run on the warehouse, formatted as the page does."""
    schemas = warehouse_schemas(warehouse)
    return {
        item.label: format_value(query(warehouse, bind(item.sql, schemas))[0][0], item.unit)
        for item in spec.headlines
    }


def is_built_for(warehouse: Path, spec: PageSpec) -> bool:
    schemas = warehouse_schemas(warehouse)
    return all(table in schemas for table in spec.tables)
