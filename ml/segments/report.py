"""The clusters and rules section of `python -m ml.report`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

PROFILES = """
select cluster_id, user_count, round(user_share, 4) as user_share, persona_label,
       campaign_action, top_aisles
from ml.ml_cluster_profiles order by cluster_id
"""
PART_METRICS = """
select model, metric, value from ml.{part} order by model, metric
"""
TOP_RULES = """
select r.rule_id, r.antecedents, r.consequents, round(r.support, 5) as support,
       round(r.confidence, 4) as confidence, round(r.lift, 3) as lift
from ml.ml_association_rules as r order by r.rule_id limit ?
"""


def _frame(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pl.DataFrame:
    frame = pl.from_arrow(connection.execute(sql, params or []).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def _has(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'ml' "
        "and table_name = ?",
        [table],
    ).fetchone()
    return bool(found and found[0])


def section(warehouse: Path, top_rules: int = 10) -> list[tuple[str, pl.DataFrame]]:
    """(title, table) pairs: cluster profiles, segment metrics, top rules, rule metrics."""
    parts: list[tuple[str, pl.DataFrame]] = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        if _has(connection, "ml_cluster_profiles"):
            parts.append(
                ("Behavioural clusters (ml_cluster_profiles)", _frame(connection, PROFILES))
            )
        if _has(connection, "ml_segment_metrics"):
            metrics = _frame(connection, PART_METRICS.format(part="ml_segment_metrics"))
            wide = metrics.pivot(on="model", index="metric", values="value")
            parts.append(("Cluster metrics (ml_segment_metrics, split train)", wide))
        if _has(connection, "ml_association_rules"):
            parts.append(
                (
                    f"Top {top_rules} association rules by lift",
                    _frame(connection, TOP_RULES, [top_rules]),
                )
            )
        if _has(connection, "ml_rule_metrics"):
            metrics = _frame(connection, PART_METRICS.format(part="ml_rule_metrics"))
            parts.append(("Rule metrics (ml_rule_metrics, split train)", metrics.drop("model")))
    return parts


def print_section(warehouse: Path) -> None:
    with pl.Config(
        tbl_rows=100,
        tbl_cols=30,
        float_precision=4,
        tbl_width_chars=250,
        fmt_str_lengths=90,
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
    ):
        for title, table in section(warehouse):
            print(f"\n{title}")
            print(table)
