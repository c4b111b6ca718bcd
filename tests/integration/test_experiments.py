"""Campaign experiments end to end: planted campaign -> dbt -> ml.experiments tables.

The shared synthetic data set carries a campaign planted by ml.synthetic.campaign (targeted at
frequent, big-basket users; largest effect on occasional users), so the recovery claims are
checked against truth/campaign.json. The real sample gets an assignment table made here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ml.validate.schema import RAW_FILES
from ml.warehouse import build_warehouse

from conftest import query

pytestmark = pytest.mark.slow

OVERALL = """
select analysis, estimate, ci_low, ci_high
from ml.ml_experiment_results
where outcome = 'items_per_order' and segment = 'all'
"""


def _truth(data_dir: Path) -> dict:
    return json.loads((data_dir / "truth" / "campaign.json").read_text())


def test_naive_difference_is_biased_and_psm_recovers_the_planted_effect(
    synthetic_warehouse: Path, synthetic_data_dir: Path
) -> None:
    true_att = _truth(synthetic_data_dir)["true_att"]["items_per_order"]
    rows = {r[0]: r[1:] for r in query(synthetic_warehouse, OVERALL)}
    naive, naive_low, _ = rows["difference_in_means"]
    psm, psm_low, psm_high = rows["psm_att"]
    # targeting picked big-basket users: the naive difference overstates the effect
    assert naive_low > true_att
    assert naive - true_att > 2 * abs(psm - true_att)
    assert psm_low <= true_att <= psm_high


def test_matching_balances_the_covariates(synthetic_warehouse: Path) -> None:
    rows = query(
        synthetic_warehouse,
        "select covariate, smd_before, smd_after from ml.ml_experiment_balance",
    )
    assert max(abs(before) for _, before, _ in rows) > 0.25
    assert max(abs(after) for _, _, after in rows) < 0.1


def test_uplift_ranks_the_segment_with_the_largest_planted_effect_first(
    synthetic_warehouse: Path, synthetic_data_dir: Path
) -> None:
    (top,) = query(
        synthetic_warehouse,
        """select segment from ml.ml_experiment_uplift
        where outcome = 'items_per_order' and level = 'segment' and uplift_rank = 1""",
    )
    assert top[0] == _truth(synthetic_data_dir)["largest_effect_segment"]
    metrics = dict(
        query(
            synthetic_warehouse,
            """select model || '.' || metric, value from ml.ml_model_metrics
            where model like 'experiment_%' and split = 'validation'""",
        )
    )
    assert metrics["experiment_t_learner.items_per_order_top_segment_matches_truth"] == 1.0
    assert metrics["experiment_psm_att.items_per_order_ci_covers_truth"] == 1.0
    assert metrics["experiment_t_learner.items_per_order_qini_coefficient"] > 0


def test_no_assignment_file_gives_empty_tables(sample_warehouse: Path) -> None:
    for table in (
        "experiments.mart_experiment_user_outcomes",
        "ml.ml_experiment_results",
        "ml.ml_experiment_balance",
        "ml.ml_experiment_uplift",
        "ml.ml_experiment_metrics",
    ):
        assert query(sample_warehouse, f"select count(*) from {table}") == [(0,)]


@pytest.fixture(scope="module")
def sample_with_assignments(
    sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The real sample plus a random 50/50 assignment at each user's middle prior order."""
    data_dir = tmp_path_factory.mktemp("sample_campaign") / "data"
    data_dir.mkdir()
    for name in RAW_FILES:
        (data_dir / name).symlink_to(sample_data_dir / name)
    orders = pl.read_csv(sample_data_dir / "orders.csv", infer_schema_length=0)
    users = (
        orders.filter(pl.col("eval_set") == "prior")
        .group_by(pl.col("user_id").cast(pl.Int64))
        .agg(pl.len().alias("prior_orders"))
        .filter(pl.col("prior_orders") >= 3)
        .sort("user_id")
    )
    treated = np.random.default_rng(11).random(users.height) < 0.5
    users.select(
        "user_id",
        experiment=pl.lit("sample_test"),
        variant=pl.Series(np.where(treated, "treatment", "control")),
        assigned_at_order=pl.col("prior_orders") // 2 + 1,
    ).write_csv(data_dir / "experiment_assignments.csv")
    return data_dir


def test_real_sample_with_an_assignment_table(
    sample_with_assignments: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    warehouse = tmp_path_factory.mktemp("sample_campaign_wh") / "instacart.duckdb"
    build_warehouse(
        sample_with_assignments,
        warehouse,
        dbt_args=(
            "--select",
            "+ml_experiment_metrics",
            "+ml_experiment_balance",
            "--indirect-selection",
            "cautious",
        ),
    )
    users = query(warehouse, "select count(*) from experiments.mart_experiment_user_outcomes")
    assigned = pl.read_csv(sample_with_assignments / "experiment_assignments.csv").height
    assert users == [(assigned,)]
    analyses = {
        r[0] for r in query(warehouse, "select distinct analysis from ml.ml_experiment_results")
    }
    assert analyses == {
        "difference_in_means",
        "cuped",
        "psm_att",
        "bayes_beta_binomial",
        "bayes_beta_binomial_matched",
    }
    ((p_better,),) = query(
        warehouse,
        """select prob_treatment_better from ml.ml_experiment_results
        where analysis = 'bayes_beta_binomial'""",
    )
    assert 0.0 <= p_better <= 1.0
    assert query(warehouse, "select count(*) > 0 from ml.ml_experiment_balance") == [(True,)]
    assert query(
        warehouse,
        "select count(*) > 0 from ml.ml_experiment_uplift where level = 'qini'",
    ) == [(True,)]
