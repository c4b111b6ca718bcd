"""The project's benchmark: `make bench SCALE=…` (or `python -m ml.bench --scale 1`).

Runs each stage of the pipeline as its own process (generate synthetic data at the scale,
validate the raw files, dbt build into a fresh warehouse) and records each stage's wall time
and peak memory (max RSS of the process tree, from the kernel's wait4 accounting), plus the
time of every dbt node from dbt's run_results.json. Writes bench/results/bench-scale<S>.md
and .csv; README quotes those files.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ml.bench_areas import RssSampler, area_markdown, area_summary, node_runs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
FULL_SCALE_USERS = 206_209


@dataclass(frozen=True)
class StageResult:
    stage: str
    wall_seconds: float
    peak_rss_mib: float
    exit_code: int


def run_stage(
    stage: str,
    command: list[str],
    env: dict[str, str] | None = None,
    sampler: RssSampler | None = None,
) -> StageResult:
    """Run one stage as a child process; wall time and peak RSS of it and its descendants.

    The peak is the larger of the kernel's ru_maxrss (the largest single process reaped)
    and the process tree's summed RSS sampled twice a second (which also sees a JVM or
    worker processes running side by side).
    """
    print(f"[bench] {stage}: {' '.join(command)}", file=sys.stderr, flush=True)
    sampler = sampler or RssSampler()
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    sampler.start(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    samples = sampler.stop()
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB, covering the child and every descendant it reaped.
    peak = max([usage.ru_maxrss / 1024, *(rss for _, rss in samples)])
    result = StageResult(stage, wall, peak, process.returncode)
    print(
        f"[bench] {stage}: {wall:.1f} s, peak {result.peak_rss_mib:,.0f} MiB, "
        f"exit {result.exit_code}",
        file=sys.stderr,
        flush=True,
    )
    return result


def dbt_node_timings(run_results: Path) -> list[tuple[str, str, float]]:
    """(node id, status, seconds) of every node of the last dbt invocation, slowest first."""
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    rows = [(r["unique_id"], str(r["status"]), float(r["execution_time"])) for r in results]
    return sorted(rows, key=lambda row: row[2], reverse=True)


def reorder_metrics_markdown(warehouse: Path) -> str:
    """The reorder model's validation metrics as markdown, or "" when the build has none."""
    from ml.report import latest_metrics, markdown_table, metrics_table

    if not warehouse.exists():
        return ""
    metrics = latest_metrics(warehouse)
    return markdown_table(metrics_table(metrics.drop("run_id"))) if metrics.height else ""


def recommender_metrics_markdown(warehouse: Path) -> str:
    """Embedding and next-basket ranking metrics as markdown, or "" when the build has none."""
    from ml.recommend.report import recommender_tables
    from ml.report import markdown_table

    if not warehouse.exists():
        return ""
    embedding, ranking = recommender_tables(warehouse)
    parts = [markdown_table(table) for table in (embedding, ranking) if table.height]
    return "\n\n".join(parts)


def count_users(data_dir: Path) -> int:
    import duckdb

    orders = str(data_dir / "orders.csv")
    row = duckdb.sql(f"select count(distinct user_id) from read_csv('{orders}')").fetchone()
    return int(row[0]) if row else 0


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "unknown"


def write_results(
    scale: float,
    users: int,
    data_dir: Path,
    stages: list[StageResult],
    nodes: list[tuple[str, str, float]],
    metrics_markdown: str,
    recommender_markdown: str = "",
    area_lines: list[str] | None = None,
) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    label = f"{scale:g}"
    csv_path = RESULTS_DIR / f"bench-scale{label}.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "name", "wall_seconds", "peak_rss_mib", "status"])
        for stage in stages:
            writer.writerow(
                [
                    "stage",
                    stage.stage,
                    f"{stage.wall_seconds:.2f}",
                    f"{stage.peak_rss_mib:.0f}",
                    stage.exit_code,
                ]
            )
        for node, status, seconds in nodes:
            writer.writerow(["dbt_node", node, f"{seconds:.2f}", "", status])

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"# Benchmark at scale {label} ({users:,} users)",
        "",
        f"- command: `make bench SCALE={label}` (python -m ml.bench --scale {label})",
        f"- date: {time.strftime('%Y-%m-%d %H:%M')}; commit {git_commit()}",
        f"- machine: {os.cpu_count()} cores, {memory_gib:.0f} GiB, {platform.platform()}",
        f"- data: {data_dir}",
        "",
        "| stage | wall (s) | peak memory (MiB) | exit |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {s.stage} | {s.wall_seconds:.1f} | {s.peak_rss_mib:,.0f} | {s.exit_code} |"
        for s in stages
    ]
    if area_lines:
        lines += ["", *area_lines]
    if nodes:
        lines += [
            "",
            "Slowest dbt nodes (seconds, from target/run_results.json):",
            "",
            "| node | status | seconds |",
            "| --- | --- | ---: |",
        ]
        lines += [f"| {node} | {status} | {seconds:.2f} |" for node, status, seconds in nodes[:25]]
    if metrics_markdown:
        lines += [
            "",
            "Reorder model on the validation users (from ml.ml_model_metrics; "
            "`python -m ml.report --warehouse <bench warehouse>`):",
            "",
            metrics_markdown,
        ]
    if recommender_markdown:
        lines += [
            "",
            "Embeddings (split train) and next-basket recommendations @10 on the validation "
            "users' final baskets (`python -m ml.report --warehouse <bench warehouse>`):",
            "",
            recommender_markdown,
        ]
    md_path = RESULTS_DIR / f"bench-scale{label}.md"
    md_path.write_text("\n".join(lines) + "\n")
    return md_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=0.05, help="1 = 206,209 users")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, help="use these files instead of generating")
    parser.add_argument(
        "--target",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="spark: time the SQL layer on local Spark next to DuckDB (ml.bench_spark)",
    )
    args = parser.parse_args(argv)

    python = sys.executable
    users = max(10, round(FULL_SCALE_USERS * args.scale))
    work_dir = PROJECT_ROOT / "build" / "bench" / f"scale{args.scale:g}"
    validation_cache = work_dir / "validated"
    shutil.rmtree(validation_cache, ignore_errors=True)
    stages: list[StageResult] = []

    if args.data_dir:
        data_dir = args.data_dir.resolve()
        users = count_users(data_dir)
    else:
        data_dir = work_dir / "data"
        shutil.rmtree(data_dir, ignore_errors=True)
        stages.append(
            run_stage(
                "generate synthetic data",
                [
                    python,
                    "-m",
                    "ml.synthetic",
                    "--users",
                    str(users),
                    "--seed",
                    str(args.seed),
                    "--campaign",
                    "--out",
                    str(data_dir),
                ],
            )
        )
    stages.append(
        run_stage(
            "validate raw files (great-expectations)",
            [python, "-m", "ml.validate", str(data_dir), "--cache-dir", str(validation_cache)],
        )
    )
    if args.target == "spark":
        from ml.bench_spark import compare_engines

        return compare_engines(args.scale, users, data_dir, work_dir)
    warehouse = work_dir / "instacart.duckdb"
    build_sampler = RssSampler()
    stages.append(
        run_stage(
            "dbt build (all models and tests)",
            [
                python,
                "-m",
                "ml.warehouse",
                "build",
                "--data-dir",
                str(data_dir),
                "--warehouse",
                str(warehouse),
                "--validation-cache",
                str(validation_cache),
            ],
            sampler=build_sampler,
        )
    )
    run_results = PROJECT_ROOT / "target" / "run_results.json"
    nodes = dbt_node_timings(run_results)
    areas = area_summary(
        node_runs(run_results, PROJECT_ROOT / "target" / "manifest.json"), build_sampler.samples
    )
    # `make build` exports inside the build; here it is its own stage so its cost shows.
    stages.append(
        run_stage(
            "export public marts to Parquet (python -m ml.export)",
            [
                python,
                "-m",
                "ml.export",
                "--warehouse",
                str(warehouse),
                "--out",
                str(work_dir / "exports"),
            ],
        )
    )
    # Dashboard time to interactive per page, when chromium is installed (`make chromium`).
    page_timing = work_dir / "dashboard-timing.md"
    page_timing.unlink(missing_ok=True)
    if shutil.which("chromium"):
        stages.append(
            run_stage(
                "dashboard pages in chromium (python -m dashboard.timing)",
                [
                    python,
                    "-m",
                    "dashboard.timing",
                    "--warehouse",
                    str(warehouse),
                    "--out",
                    str(page_timing),
                ],
            )
        )
    report = write_results(
        args.scale,
        users,
        data_dir,
        stages,
        nodes,
        reorder_metrics_markdown(warehouse),
        recommender_metrics_markdown(warehouse),
        area_markdown(areas),
    )
    if page_timing.exists():
        report.write_text(report.read_text() + "\nDashboard pages:\n\n" + page_timing.read_text())
    print(report.read_text())
    return 0 if all(stage.exit_code == 0 for stage in stages) else 1


if __name__ == "__main__":
    raise SystemExit(main())
