"""ml.synthetic.campaign: the planted campaign changes only what it should."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from ml.synthetic import generate
from ml.synthetic.campaign import ASSIGNMENTS_FILE, LINE_SCHEMA, add_campaign
from ml.validate import validate_data_dir


@pytest.fixture(scope="module")
def base_and_campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("campaign") / "base"
    generate(users=400, seed=3, out_dir=base, progress=False)
    planted = base.parent / "planted"
    shutil.copytree(base, planted)
    add_campaign(planted, seed=3)
    return base, planted


def test_other_files_stay_byte_identical(base_and_campaign: tuple[Path, Path]) -> None:
    base, planted = base_and_campaign
    for name in ("orders.csv", "order_products__train.csv", "products.csv", "aisles.csv"):
        assert (base / name).read_bytes() == (planted / name).read_bytes(), name


def test_campaign_only_adds_reordered_lines_to_treated_post_orders(
    base_and_campaign: tuple[Path, Path],
) -> None:
    base, planted = base_and_campaign
    before = pl.read_csv(base / "order_products__prior.csv", schema=LINE_SCHEMA)
    after = pl.read_csv(planted / "order_products__prior.csv", schema=LINE_SCHEMA)
    added = after.join(before, on=["order_id", "product_id"], how="anti")
    assert after.height == before.height + added.height > 0
    assert added["reordered"].to_list() == [1] * added.height
    orders = pl.read_csv(base / "orders.csv", infer_schema_length=0).select(
        pl.col("order_id").cast(pl.Int32),
        pl.col("user_id").cast(pl.Int64),
        pl.col("order_number").cast(pl.Int64),
    )
    assignments = pl.read_csv(planted / ASSIGNMENTS_FILE)
    where = added.join(orders, on="order_id").join(assignments, on="user_id")
    assert where.height == added.height
    assert set(where["variant"]) == {"treatment"}
    assert (where["order_number"] > where["assigned_at_order"]).all()
    # every added product was bought by the same user before the assignment
    history = before.join(orders, on="order_id").join(assignments, on="user_id")
    bought_before = history.filter(pl.col("order_number") <= pl.col("assigned_at_order"))
    assert where.join(bought_before, on=["user_id", "product_id"], how="anti").height == 0


def test_truth_and_validation(base_and_campaign: tuple[Path, Path]) -> None:
    _, planted = base_and_campaign
    truth = json.loads((planted / "truth" / "campaign.json").read_text())
    assert truth["largest_effect_segment"] == "occasional"
    assert truth["true_att"]["items_per_order"] > 0
    segments = pl.read_csv(planted / "truth" / "campaign_segments.csv")
    assert set(segments["segment"]) <= {"frequent", "regular", "occasional"}
    report = validate_data_dir(planted, progress=False)
    assert report.success, report.summary()  # the extra file does not upset the raw checks
