"""`make bench TARGET=spark SCALE=…`: the SQL layer on local Spark next to DuckDB, same files.

Both engines run `dbt build` of the seeds and SQL models only (the `spark` selector's set:
no Python models, no data or unit tests), each in its own process, from the same raw CSVs.
Per engine: the process's wall time and peak memory (Spark's includes starting the JVM),
and dbt's own node times summed by layer (staging, intermediate, core, analytics, features). Writes
bench/results/bench-spark-scale<S>.md and .csv.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

from ml.bench import PROJECT_ROOT, RESULTS_DIR, StageResult, git_commit, run_stage

LAYERS = ("staging", "intermediate", "core", "analytics", "features")
# The same model set on both engines (selectors.yml `spark`; on DuckDB the staging models
# depend on the raw_file_checks Python model, so the selector cannot be used there as is).
DUCKDB_SQL_LAYER = ["--exclude", "path:python_models", "tag:python", "tag:ml"]


def layer_of(fqn: list[str]) -> str:
    """Layer of a model from its dbt fqn (['project', 'marts', 'core', 'fct_orders'])."""
    folder = fqn[2] if len(fqn) > 3 and fqn[1] == "marts" else fqn[1]
    return folder if folder in LAYERS else "other"


def layer_seconds(target_path: Path) -> dict[str, float]:
    """Seconds of dbt's model nodes summed by layer, from run_results.json + manifest.json."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    nodes = json.loads((target_path / "manifest.json").read_text())["nodes"]
    totals: dict[str, float] = defaultdict(float)
    for result in results:
        node = nodes.get(result["unique_id"])
        if node and node["resource_type"] == "model":
            totals[layer_of(node["fqn"])] += float(result["execution_time"])
    return dict(totals)


def run_engine(engine: str, data_dir: Path, work_dir: Path) -> tuple[StageResult, dict[str, float]]:
    target_path = work_dir / f"target-{engine}"
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT / "profiles"))
    if engine == "spark":
        spark_dir = work_dir / "spark"
        shutil.rmtree(spark_dir, ignore_errors=True)
        env["INSTACART_SPARK_DIR"] = str(spark_dir)
        env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        selection = ["--target", "spark", "--selector", "spark"]
    else:
        warehouse = work_dir / "sql-layer.duckdb"
        warehouse.unlink(missing_ok=True)
        env["INSTACART_WAREHOUSE_PATH"] = str(warehouse)
        selection = ["--target", "duckdb", *DUCKDB_SQL_LAYER]
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--exclude-resource-type",
        "test",
        "unit_test",
        *selection,
        "--target-path",
        str(target_path),
        "--vars",
        json.dumps({"data_dir": str(data_dir)}),
    ]
    stage = run_stage(f"dbt build, seeds + SQL models on {engine}", command, env=env)
    layers = layer_seconds(target_path) if stage.exit_code == 0 else {}
    return stage, layers


def write_comparison(
    scale: float, users: int, data_dir: Path, runs: dict[str, tuple[StageResult, dict]]
) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    label = f"{scale:g}"
    engines = list(runs)
    csv_path = RESULTS_DIR / f"bench-spark-scale{label}.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["engine", "part", "wall_seconds", "peak_rss_mib", "exit"])
        for engine, (stage, layers) in runs.items():
            writer.writerow(
                [
                    engine,
                    "process",
                    f"{stage.wall_seconds:.2f}",
                    f"{stage.peak_rss_mib:.0f}",
                    stage.exit_code,
                ]
            )
            for layer in (*LAYERS, "other"):
                if layer in layers:
                    writer.writerow([engine, layer, f"{layers[layer]:.2f}", "", ""])
    header = " | ".join(engines)
    lines = [
        f"# SQL layer on DuckDB and on local Spark, scale {label} ({users:,} users)",
        "",
        f"- command: `make bench TARGET=spark SCALE={label}` "
        f"(python -m ml.bench --scale {label} --target spark)",
        f"- date: {time.strftime('%Y-%m-%d %H:%M')}; commit {git_commit()}",
        f"- machine: {os.cpu_count()} cores; data: {data_dir}",
        "- each engine: `dbt build` of the same seeds and SQL models (no tests) over the same"
        " CSVs in its own process; Spark is local[2] in one JVM (profiles/profiles.yml)",
        "",
        f"| part (seconds) | {header} |",
        "| --- |" + " ---: |" * len(engines),
    ]
    for layer in LAYERS:
        values = " | ".join(f"{runs[e][1].get(layer, 0.0):.1f}" for e in engines)
        lines.append(f"| {layer} models (dbt node time) | {values} |")
    walls = " | ".join(f"{runs[e][0].wall_seconds:.1f}" for e in engines)
    peaks = " | ".join(f"{runs[e][0].peak_rss_mib:,.0f}" for e in engines)
    lines += [
        f"| whole dbt process (wall, incl. start-up) | {walls} |",
        f"| peak memory of the process (MiB) | {peaks} |",
    ]
    md_path = RESULTS_DIR / f"bench-spark-scale{label}.md"
    md_path.write_text("\n".join(lines) + "\n")
    return md_path


def compare_engines(scale: float, users: int, data_dir: Path, work_dir: Path) -> int:
    """Time the SQL layer on DuckDB then Spark; write and print the table; exit code."""
    runs = {engine: run_engine(engine, data_dir, work_dir) for engine in ("duckdb", "spark")}
    report = write_comparison(scale, users, data_dir, runs)
    print(report.read_text())
    return 0 if all(stage.exit_code == 0 for stage, _ in runs.values()) else 1
