"""What analysts and BI tools read: the pinned DuckDB 1.x shell and the Parquet exports.

The shell is the `duckdb-cli` package (its own DuckDB build, not the Python module), opened
read-only exactly as `make shell` does; the exports are written by `make export`'s code and
read back by polars and pyarrow.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest

from ml.export import MANIFEST, PUBLIC_SCHEMAS, export_warehouse

from conftest import PROJECT_ROOT, query

pytestmark = pytest.mark.slow

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"
SHELL_INIT = PROJECT_ROOT / "scripts" / "shell_init.sql"


def run_shell(warehouse: Path, sql: str, *options: str) -> subprocess.CompletedProcess[str]:
    """The pinned shell, read-only, SQL on stdin, CSV out (with `make shell`'s options added)."""
    return subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-csv", "-bail", *options, str(warehouse)],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )


def public_marts(warehouse: Path) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in PUBLIC_SCHEMAS)
    return query(
        warehouse,
        f"select schema_name, table_name from duckdb_tables() "
        f"where database_name = current_database() and schema_name in ({placeholders}) "
        f"order by 1, 2",
        list(PUBLIC_SCHEMAS),
    )


def fingerprint_sql(marts: list[tuple[str, str]]) -> str:
    """Row count and an order-independent hash of every row (reads every column of every row)."""
    return "\nunion all\n".join(
        f"select '{schema}.{name}' as mart, count(*) as row_count, "
        f"cast(coalesce(bit_xor(hash(t)), 0) as varchar) as row_hash from {schema}.{name} as t"
        for schema, name in marts
    )


EMPTY_WITHOUT_ASSIGNMENTS = {
    "experiments.mart_experiment_user_outcomes",
    "ml.ml_experiment_balance",
    "ml.ml_experiment_metrics",
    "ml.ml_experiment_results",
    "ml.ml_experiment_uplift",
}


def test_pinned_shell_reads_every_public_mart(sample_warehouse: Path) -> None:
    marts = public_marts(sample_warehouse)
    assert {schema for schema, _ in marts} == set(PUBLIC_SCHEMAS)
    version = subprocess.run(
        [str(DUCKDB_CLI), "-version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith(f"v{duckdb.__version__} "), version

    sql = fingerprint_sql(marts) + "\norder by mart;\n"
    shell = run_shell(sample_warehouse, sql)
    assert shell.returncode == 0, shell.stderr
    from_shell = [tuple(row) for row in csv.reader(io.StringIO(shell.stdout))][1:]
    from_python = [(mart, str(rows), digest) for mart, rows, digest in query(sample_warehouse, sql)]
    assert from_shell == from_python
    # The experiment marts are empty by design when the data dir has no assignment file (the
    # real sample has none); every other public mart must have rows.
    empty = {mart for mart, rows, _ in from_shell if int(rows) == 0}
    assert empty == EMPTY_WITHOUT_ASSIGNMENTS, from_shell


def test_shell_is_read_only(sample_warehouse: Path) -> None:
    shell = run_shell(sample_warehouse, "create table core.scratch as select 1 as x;\n")
    assert shell.returncode != 0
    assert "read-only" in shell.stderr.lower(), shell.stderr


def test_shell_banner_lists_the_marts_of_each_public_schema(sample_warehouse: Path) -> None:
    shell = run_shell(sample_warehouse, "select 42 as answer;\n", "-init", str(SHELL_INIT))
    assert shell.returncode == 0, shell.stderr
    banner = shell.stdout
    for schema, name in public_marts(sample_warehouse):
        line = next(line for line in banner.splitlines() if line.strip().startswith(f"{schema}:"))
        assert name in line
    (build_id,) = query(sample_warehouse, "select build_id from meta.build_info")[0]
    assert f"build {build_id}" in banner
    assert "answer" in banner and "42" in banner
    assert "Error" not in shell.stderr, shell.stderr


def readme_shell_queries() -> list[str]:
    """The SQL block of README's shell section, split into statements."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("### Open the warehouse in the DuckDB shell", 1)[1]
    block = re.search(r"```sql\n(.*?)```", section, re.S)
    assert block, "README shell section has no ```sql block"
    statements = [s.strip() for s in block.group(1).split(";")]
    return [
        s for s in statements if s and not all(line.startswith("--") for line in s.splitlines())
    ]


def test_readme_ad_hoc_queries_run_in_the_shell(sample_warehouse: Path) -> None:
    statements = readme_shell_queries()
    assert len(statements) >= 3
    for statement in statements:
        shell = run_shell(sample_warehouse, statement + ";\n")
        assert shell.returncode == 0, f"{statement}\n{shell.stderr}"
        rows = list(csv.reader(io.StringIO(shell.stdout)))[1:]
        assert rows, f"no rows from README query:\n{statement}"


@pytest.fixture(scope="module")
def exported(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_warehouse(sample_warehouse, tmp_path_factory.mktemp("export") / "exports")


def test_manifest_matches_the_warehouse(exported: Path, sample_warehouse: Path) -> None:
    manifest = json.loads((exported / MANIFEST).read_text())
    (build_id,) = query(sample_warehouse, "select build_id from meta.build_info")[0]
    assert manifest["build_id"] == build_id
    entries = {(entry["schema"], entry["mart"]): entry for entry in manifest["marts"]}
    assert sorted(entries) == public_marts(sample_warehouse)
    for (schema, name), entry in entries.items():
        (rows,) = query(sample_warehouse, f"select count(*) from {schema}.{name}")[0]
        assert entry["rows"] == rows, name
        columns = [row[0] for row in query(sample_warehouse, f"describe {schema}.{name}")]
        extra = [] if entry["partitioned_by"] in (None, *columns) else [entry["partitioned_by"]]
        assert [c["name"] for c in entry["columns"]] == columns + extra, name
    assert entries[("core", "fct_order_lines")]["partitioned_by"] == "department_id"
    assert entries[("features", "feat_user_product")]["partitioned_by"] == "user_bucket"


def test_polars_and_pyarrow_read_every_export(exported: Path) -> None:
    manifest = json.loads((exported / MANIFEST).read_text())
    for entry in manifest["marts"]:
        path = exported / entry["path"]
        names = sorted(c["name"] for c in entry["columns"])
        if entry["partitioned_by"]:
            assert path.is_dir() and entry["files"] > 1, entry["mart"]
            frame = pl.read_parquet(path / "**" / "*.parquet", hive_partitioning=True)
            table = ds.dataset(path, format="parquet", partitioning="hive").to_table()
        else:
            frame = pl.read_parquet(path)
            table = ds.dataset(path, format="parquet").to_table()
        assert frame.height == table.num_rows == entry["rows"], entry["mart"]
        assert sorted(frame.columns) == sorted(table.column_names) == names, entry["mart"]


def test_partitioned_export_holds_the_same_rows(exported: Path, sample_warehouse: Path) -> None:
    """Hive partitions lose no rows and put each row under its own key."""
    lines = pl.read_parquet(
        exported / "fct_order_lines.parquet" / "**" / "*.parquet", hive_partitioning=True
    )
    by_department = dict(
        query(
            sample_warehouse,
            "select department_id, count(*) from core.fct_order_lines group by 1",
        )
    )
    counts = lines.group_by("department_id").len()
    assert dict(zip(counts["department_id"], counts["len"], strict=True)) == by_department


def test_exposures_cover_every_public_mart_and_dashboard_page(sample_warehouse: Path) -> None:
    """models/exposures.yml: the Parquet exports depend on every public mart (so a new mart
    must be declared), and each dashboard exposure points at its page."""
    manifest = json.loads((PROJECT_ROOT / "target" / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    exported = {
        node.rsplit(".", 1)[1] for node in exposures["parquet_exports"]["depends_on"]["nodes"]
    }
    assert exported == {name for _, name in public_marts(sample_warehouse)}
    pages = [e for e in exposures.values() if e["type"] == "dashboard"]
    assert pages and all(e["url"].startswith("http://localhost:8501/") for e in pages)
