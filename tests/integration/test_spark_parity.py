"""The same dbt SQL models on Spark and on DuckDB give the same tables (issue 9).

Builds two fixtures on local Spark (dbt-spark, session method) inside this test process, so one
JVM serves every dbt invocation and the comparison: the real Instacart sample (models, seeds and
the dbt unit tests) and a few hundred synthetic users (models and seeds). Every SQL model the
`spark` selector builds (found in dbt's run results, so models added later are covered without
editing this file) is compared with the DuckDB build of the same files: same columns, same row
count, same rows; floats equal within 1e-9 relative. Spark tables are read through pyspark SQL
in the same session and handed over as Arrow (no pandas).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ml.warehouse import build_warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PARITY_USERS = 300
PARITY_SEED = 11
RELATIVE_TOLERANCE = 1e-9
# Below this magnitude two floats count as equal (0 vs 1e-17 rounding noise of a sum).
ABSOLUTE_FLOOR = 1e-12

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh Spark warehouse + Derby metastore for this test session only."""
    if shutil.which("java") is None:
        pytest.fail("Java 17 is needed for the Spark target (java not found on PATH)")
    folder = tmp_path_factory.mktemp("spark")
    saved = {key: os.environ.get(key) for key in ("INSTACART_SPARK_DIR", "SPARK_LOCAL_IP")}
    os.environ["INSTACART_SPARK_DIR"] = str(folder)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def run_dbt_on_spark(command: list[str], data_dir: Path, target_path: Path) -> list:
    """Run dbt in-process on the spark target; return the run results (raises on failure)."""
    from dbt.cli.main import dbtRunner

    args = [
        *command,
        "--target",
        "spark",
        "--selector",
        "spark",
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT / "profiles"),
        "--target-path",
        str(target_path),
        "--vars",
        json.dumps({"data_dir": str(data_dir)}),
    ]
    outcome = dbtRunner().invoke(args)
    assert outcome.success, f"dbt {' '.join(command)} failed on Spark: {outcome.exception}"
    return list(outcome.result.results)


def built_models(results: list) -> list[tuple[str, str]]:
    """(schema, table) of every model in the run results."""
    return sorted(
        (result.node.schema, result.node.alias)
        for result in results
        if result.node.resource_type == "model"
    )


def spark_frame(relation: str) -> pl.DataFrame:
    from pyspark.sql import SparkSession

    # dbt ran its queries in another thread; the builder returns that same global session
    # (the JVM is already up, so no configuration here takes effect).
    session = SparkSession.builder.getOrCreate()
    assert os.environ["INSTACART_SPARK_DIR"] in session.conf.get("spark.sql.warehouse.dir"), (
        "expected dbt-spark's session of this test"
    )
    return pl.from_arrow(session.sql(f"select * from {relation}").toArrow())


def duckdb_frame(warehouse: Path, relation: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select * from {relation}").pl()


def is_float(dtype: pl.DataType) -> bool:
    return dtype.is_float() or dtype.is_decimal()


def aligned(left: pl.DataFrame, right: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both frames with one dtype per column, rows sorted the same way (exact columns first)."""
    casts_left, casts_right, float_columns = [], [], []
    for name in left.columns:
        left_type, right_type = left.schema[name], right.schema[name]
        if is_float(left_type) or is_float(right_type):
            target: pl.DataType = pl.Float64()
            float_columns.append(name)
        elif left_type.is_integer() and right_type.is_integer():
            target = pl.Int64()
        else:
            target = left_type
        casts_left.append(pl.col(name).cast(target))
        casts_right.append(pl.col(name).cast(target))
    exact_columns = [name for name in left.columns if name not in float_columns]
    order = exact_columns + float_columns
    return (
        left.select(casts_left).sort(order, nulls_last=True),
        right.select(casts_right).sort(order, nulls_last=True),
    )


def floats_equal(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= RELATIVE_TOLERANCE * max(
        abs(a), abs(b), ABSOLUTE_FLOOR / RELATIVE_TOLERANCE
    )


def differences(relation: str, duck: pl.DataFrame, spark: pl.DataFrame) -> list[str]:
    """Human-readable differences between the DuckDB and Spark copies of one table."""
    if duck.columns != spark.columns:
        return [f"{relation}: columns {duck.columns} (DuckDB) vs {spark.columns} (Spark)"]
    if duck.height != spark.height:
        return [f"{relation}: {duck.height} rows (DuckDB) vs {spark.height} (Spark)"]
    duck, spark = aligned(duck, spark)
    found = []
    for name in duck.columns:
        duck_values, spark_values = duck[name].to_list(), spark[name].to_list()
        if duck.schema[name] == pl.Float64:
            bad = [
                i
                for i, (a, b) in enumerate(zip(duck_values, spark_values, strict=True))
                if not floats_equal(a, b)
            ]
        else:
            bad = [
                i for i, (a, b) in enumerate(zip(duck_values, spark_values, strict=True)) if a != b
            ]
        if bad:
            row = bad[0]
            found.append(
                f"{relation}.{name}: {len(bad)} of {duck.height} rows differ, e.g. "
                f"{duck_values[row]!r} (DuckDB) vs {spark_values[row]!r} (Spark)"
            )
    return found


def assert_same_tables(results: list, warehouse: Path) -> int:
    models = built_models(results)
    problems = []
    for schema, table in models:
        relation = f"{schema}.{table}"
        problems += differences(relation, duckdb_frame(warehouse, relation), spark_frame(relation))
    assert not problems, "Spark and DuckDB differ:\n" + "\n".join(problems)
    return len(models)


def expected_spark_models() -> set[str]:
    """Every SQL model outside python_models/ not tagged python or ml, from the dbt project."""
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(
        [
            "ls",
            "--resource-type",
            "model",
            "--exclude",
            "path:python_models",
            "tag:python",
            "tag:ml",
            "--output",
            "name",
            "--quiet",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT / "profiles"),
        ]
    )
    assert outcome.success
    return set(outcome.result)


@pytest.fixture(scope="module")
def synthetic_parity_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ml.synthetic import generate

    out_dir = tmp_path_factory.mktemp("parity") / "data"
    generate(users=PARITY_USERS, seed=PARITY_SEED, out_dir=out_dir)
    return out_dir


def test_every_sql_model_is_identical_on_spark_and_duckdb(
    spark_dir: Path,
    sample_data_dir: Path,
    sample_warehouse: Path,
    synthetic_parity_data: Path,
    tmp_path: Path,
) -> None:
    # The real sample: models, seeds and the dbt unit tests (data tests: `make test-spark`).
    sample_results = run_dbt_on_spark(
        ["build", "--exclude-resource-type", "test"],
        sample_data_dir,
        tmp_path / "target-sample",
    )
    unit_tests = [r for r in sample_results if r.node.resource_type == "unit_test"]
    assert len(unit_tests) >= 8, "the dbt unit tests should run on Spark too"
    models = {table for _, table in built_models(sample_results)}
    assert models == expected_spark_models(), "the spark selector must build every SQL model"
    compared = assert_same_tables(sample_results, sample_warehouse)

    # A few hundred synthetic users: every planted pattern shows, in seconds.
    duckdb_synthetic = tmp_path / "synthetic.duckdb"
    build_warehouse(
        synthetic_parity_data,
        duckdb_synthetic,
        dbt_args=("--exclude", "tag:ml"),
        validation_cache=tmp_path / "validated",
    )
    synthetic_results = run_dbt_on_spark(
        ["build", "--exclude-resource-type", "test", "unit_test"],
        synthetic_parity_data,
        tmp_path / "target-synthetic",
    )
    assert assert_same_tables(synthetic_results, duckdb_synthetic) == compared
