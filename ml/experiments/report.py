"""The experiments section of `python -m ml.report`: read-outs per experiment and outcome."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

OVERALL = """
select r.experiment, r.outcome, r.analysis, r.estimate, r.ci_low, r.ci_high,
       r.n_treatment, r.n_control, r.prob_treatment_better, r.expected_loss_treatment,
       t.value as true_att
from ml.ml_experiment_results r
left join ml.ml_experiment_metrics t
  on t.run_id like r.experiment || '-%'
 and t.model = 'experiment_' || r.analysis
 and t.metric = r.outcome || '_true_att'
where r.segment = 'all'
order by r.experiment, r.outcome, r.analysis
"""
UPLIFT = """
select experiment, outcome, segment, uplift_rank, predicted_uplift, observed_uplift,
       n_treatment, n_control
from ml.ml_experiment_uplift
where level = 'segment'
order by experiment, outcome, uplift_rank
"""
BALANCE = """
select experiment, max(abs(smd_before)) as max_abs_smd_before,
       max(abs(smd_after)) as max_abs_smd_after,
       max(n_treatment_matched) as treated_matched,
       max(n_treatment_unmatched) as treated_unmatched
from ml.ml_experiment_balance
group by experiment
order by experiment
"""
QINI = """
select experiment, outcome, max(qini_coefficient) as qini_coefficient,
       max(users_modelled) as users_modelled
from ml.ml_experiment_uplift
where level = 'qini'
group by experiment, outcome
order by experiment, outcome
"""

TABLE_STYLE = {
    "tbl_rows": 100,
    "tbl_cols": 30,
    "float_precision": 4,
    "tbl_width_chars": 250,
    "tbl_hide_column_data_types": True,
    "tbl_hide_dataframe_shape": True,
}


def experiment_tables(warehouse: Path) -> dict[str, pl.DataFrame]:
    """The section's tables; empty dict when the warehouse has no experiment results."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            overall = pl.from_arrow(connection.execute(OVERALL).to_arrow_table())
        except duckdb.CatalogException:
            return {}
        if not overall.height:  # type: ignore[union-attr]
            return {}
        tables = {"read-outs (segment all; true_att on synthetic data)": overall}
        for title, sql in (
            ("uplift by segment (T-learner, rank 1 = largest)", UPLIFT),
            ("Qini", QINI),
            ("propensity matching balance", BALANCE),
        ):
            try:
                tables[title] = pl.from_arrow(connection.execute(sql).to_arrow_table())
            except duckdb.CatalogException:  # a partial build (dbt --select) may lack it
                continue
    return tables  # type: ignore[return-value]


def print_experiments_section(warehouse: Path, markdown: bool = False) -> None:
    """Print the experiments tables (nothing when no assignment table was loaded)."""
    from ml.report import markdown_table

    tables = experiment_tables(warehouse)
    if not tables:
        print("\nexperiments: no assignments in this warehouse")
        return
    for title, table in tables.items():
        print(f"\nexperiments - {title}")
        if markdown:
            print(markdown_table(table))
            continue
        with pl.Config(**TABLE_STYLE):
            print(table)


def main(argv: list[str] | None = None) -> None:
    """`python -m ml.experiments.report --warehouse FILE`: only the experiments section."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ml.experiments.report")
    parser.add_argument("--warehouse", type=Path, default=Path("build/instacart.duckdb"))
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = parser.parse_args(argv)
    print_experiments_section(args.warehouse, markdown=args.markdown)


if __name__ == "__main__":
    main()
