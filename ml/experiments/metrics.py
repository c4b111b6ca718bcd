"""ml_experiment_metrics: the experiments' part of ml_model_metrics.

Overall estimates, CUPED's variance reduction, the Qini coefficient and, on synthetic data
with a planted campaign (truth/campaign.json), the recovery of the planted effects.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from ml.experiments.frame import OUTCOMES
from ml.experiments.pipeline import table_from_rows
from ml.reorder.pipeline import to_polars

METRICS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("model", pa.string()),
        ("split", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
    ]
)
TRUTH_FILE = Path("truth") / "campaign.json"


def load_truth(data_dir: str | Path | None) -> dict[str, Any] | None:
    """truth/campaign.json of a synthetic data dir with a planted campaign, else None."""
    if not data_dir:
        return None
    path = Path(data_dir) / TRUTH_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _run_id(experiment: str, results: pl.DataFrame) -> str:
    digest = hashlib.sha256(
        results.sort("outcome", "analysis", "segment").write_csv().encode()
    ).hexdigest()
    return f"{experiment}-{digest[:10]}"


def metrics_table(results: Any, uplift: Any, data_dir: str | Path | None = None) -> pa.Table:
    """ml_experiment_metrics: estimates, CUPED's variance reduction, Qini, and on synthetic
    data with a planted campaign the recovery of the truth (split 'validation')."""
    res, upl = to_polars(results), to_polars(uplift)
    truth = load_truth(data_dir)
    rows: list[dict[str, Any]] = []
    for experiment in sorted(res["experiment"].unique().to_list()) if res.height else []:
        r = res.filter(pl.col("experiment") == experiment)
        run_id = _run_id(experiment, r)
        true_att = (
            (truth or {}).get("true_att", {})
            if truth and truth.get("experiment") == experiment
            else {}
        )

        def add(model: str, metric: str, value: float, run_id: str = run_id) -> None:
            rows.append(
                {
                    "run_id": run_id,
                    "model": model,
                    "split": "validation",
                    "metric": metric,
                    "value": float(value),
                }
            )

        overall = r.filter(pl.col("segment") == "all")
        for row in overall.iter_rows(named=True):
            model, outcome = f"experiment_{row['analysis']}", row["outcome"]
            add(model, f"{outcome}_estimate", row["estimate"])
            add(model, f"{outcome}_ci_low", row["ci_low"])
            add(model, f"{outcome}_ci_high", row["ci_high"])
            if row["prob_treatment_better"] is not None:
                add(model, f"{outcome}_prob_treatment_better", row["prob_treatment_better"])
                add(model, f"{outcome}_expected_loss_treatment", row["expected_loss_treatment"])
            if outcome in true_att and not row["analysis"].startswith("bayes"):
                truth_value = float(true_att[outcome])
                add(model, f"{outcome}_true_att", truth_value)
                add(model, f"{outcome}_error", row["estimate"] - truth_value)
                add(
                    model,
                    f"{outcome}_ci_covers_truth",
                    float(row["ci_low"] <= truth_value <= row["ci_high"]),
                )
        for outcome in OUTCOMES:
            se = dict(
                overall.filter(pl.col("outcome") == outcome)
                .select("analysis", "std_error")
                .iter_rows()
            )
            if se.get("cuped") and se.get("difference_in_means"):
                add(
                    "experiment_cuped",
                    f"{outcome}_variance_reduction",
                    1.0 - (se["cuped"] / se["difference_in_means"]) ** 2,
                )
        rows.extend(_uplift_metrics(upl, experiment, run_id, truth))
    return table_from_rows(rows, METRICS_SCHEMA)


def _uplift_metrics(
    uplift: pl.DataFrame, experiment: str, run_id: str, truth: dict[str, Any] | None
) -> list[dict[str, Any]]:
    rows = []
    if uplift.height == 0:
        return rows
    u = uplift.filter(pl.col("experiment") == experiment)
    for outcome in OUTCOMES:
        seg = u.filter((pl.col("outcome") == outcome) & (pl.col("level") == "segment"))
        qini = u.filter((pl.col("outcome") == outcome) & (pl.col("level") == "qini"))
        values = {}
        if qini.height:
            values[f"{outcome}_qini_coefficient"] = qini["qini_coefficient"][0]
            values[f"{outcome}_users_modelled"] = qini["users_modelled"][0]
        if (
            seg.height
            and truth
            and truth.get("experiment") == experiment
            and (outcome == "items_per_order")
        ):
            top = seg.sort("uplift_rank")["segment"][0]
            values[f"{outcome}_top_segment_matches_truth"] = float(
                top == truth["largest_effect_segment"]
            )
        rows.extend(
            {
                "run_id": run_id,
                "model": "experiment_t_learner",
                "split": "validation",
                "metric": metric,
                "value": float(value),
            }
            for metric, value in values.items()
        )
    return rows
