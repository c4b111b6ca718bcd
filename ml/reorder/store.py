"""The one-row model table (`ml.ml_reorder_model`) and the Booster it round-trips to.

The model is trained once (by the ml_reorder_model dbt model); every downstream model loads
it from this row, so predictions, metrics and importances all describe the same run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import lightgbm as lgb
import polars as pl
import pyarrow as pa

from ml.reorder.train import TrainedModel

MODEL_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("model_name", pa.string()),
        ("model_text", pa.large_string()),
        ("params", pa.string()),
        ("best_iteration", pa.int32()),
        ("features", pa.string()),
        ("n_features", pa.int32()),
        ("augment_prior_target", pa.bool_()),
        ("validation_fraction", pa.float64()),
        ("split_seed", pa.int64()),
        ("train_rows", pa.int64()),
        ("train_users", pa.int64()),
        ("validation_rows", pa.int64()),
        ("validation_users", pa.int64()),
        ("data_fingerprint", pa.string()),
        ("training_seconds", pa.float64()),
        ("trained_at", pa.timestamp("us", tz="UTC")),
    ]
)
MODEL_NAME = "reorder_lgbm"


@dataclass(frozen=True)
class StoredModel:
    run_id: str
    booster: lgb.Booster
    features: list[str]
    validation_fraction: float
    split_seed: int


def model_record(model: TrainedModel, trained_at: datetime | None = None) -> pa.Table:
    """The model table row; run_id = trained_at + data fingerprint (unique and traceable)."""
    trained_at = trained_at or datetime.now(UTC)
    run_id = f"{trained_at:%Y%m%dT%H%M%SZ}-{model.fingerprint[:10]}"
    row = {
        "run_id": run_id,
        "model_name": MODEL_NAME,
        "model_text": model.booster.model_to_string(num_iteration=model.best_iteration),
        "params": json.dumps({**model.params, **model.control}, sort_keys=True),
        "best_iteration": model.best_iteration,
        "features": json.dumps(model.features),
        "n_features": len(model.features),
        "augment_prior_target": model.augment,
        "validation_fraction": model.validation_fraction,
        "split_seed": model.split_seed,
        "train_rows": model.counts["train_rows"],
        "train_users": model.counts["train_users"],
        "validation_rows": model.counts["validation_rows"],
        "validation_users": model.counts["validation_users"],
        "data_fingerprint": model.fingerprint,
        "training_seconds": round(model.seconds, 3),
        "trained_at": trained_at,
    }
    return pa.Table.from_pylist([row], schema=MODEL_SCHEMA)


def load_model(table: pa.Table | pl.DataFrame) -> StoredModel:
    """Rebuild the Booster (and the split settings it was validated with) from the model row."""
    frame = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    if frame.height != 1:
        raise ValueError(f"expected exactly one model row, got {frame.height}")
    row = frame.row(0, named=True)
    return StoredModel(
        run_id=row["run_id"],
        booster=lgb.Booster(model_str=row["model_text"]),
        features=json.loads(row["features"]),
        validation_fraction=float(row["validation_fraction"]),
        split_seed=int(row["split_seed"]),
    )
