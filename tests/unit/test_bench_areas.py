"""The bench's per-area grouping and memory attribution (ml.bench_areas)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ml.bench_areas import NodeRun, area_of, area_summary, node_runs, tree_rss_mib


def test_area_of_groups_nodes_by_folder_and_kind() -> None:
    assert area_of("model.p.stg_orders", "models/staging/stg_orders.sql") == "staging"
    assert area_of("model.p.fct_orders", "models/marts/core/fct_orders.sql") == "core"
    assert area_of("model.p.ml_user_clusters", "python_models/segments/x.py") == "ml: segments"
    assert area_of("test.p.not_null_x", "models/staging/_staging__models.yml") == "data tests"
    assert area_of("unit_test.p.m.t", "models/marts/core/_core__models.yml") == "unit tests"
    assert area_of("seed.p.rfm_segment_rules", "seeds/rfm_segment_rules.csv") == "seeds"


def test_area_summary_takes_the_peak_inside_each_nodes_window() -> None:
    runs = [
        NodeRun("model.p.a", "staging", 1.0, started=10.0, completed=11.0),
        NodeRun("model.p.b", "ml: reorder", 5.0, started=11.5, completed=16.5),
        NodeRun("model.p.c", "staging", 0.5, started=17.0, completed=17.5),
    ]
    samples = [(10.5, 100.0), (12.0, 900.0), (16.0, 1200.0), (17.2, 300.0), (20.0, 5000.0)]
    assert area_summary(runs, samples) == [
        ("staging", 2, 1.5, 300.0),
        ("ml: reorder", 1, 5.0, 1200.0),
    ]


def test_node_runs_reads_windows_and_paths(tmp_path: Path) -> None:
    timing = [
        {
            "name": "compile",
            "started_at": "2026-01-01T00:00:00Z",
            "completed_at": "2026-01-01T00:00:01Z",
        },
        {
            "name": "execute",
            "started_at": "2026-01-01T00:00:01Z",
            "completed_at": "2026-01-01T00:00:03Z",
        },
    ]
    results = {
        "results": [{"unique_id": "model.p.feat_user", "execution_time": 3.0, "timing": timing}]
    }
    manifest = {
        "nodes": {"model.p.feat_user": {"original_file_path": "models/marts/features/f.sql"}}
    }
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    [run] = node_runs(tmp_path / "run_results.json", tmp_path / "manifest.json")
    assert run.area == "features"
    assert run.completed - run.started == 3.0


def test_tree_rss_of_this_process_is_positive_and_gone_pids_count_zero() -> None:
    assert tree_rss_mib(os.getpid()) > 1.0
    assert tree_rss_mib(2**22 + 12345) == 0.0


def test_cli_reports_the_commands_exit_code() -> None:
    from ml.bench_areas import main

    assert main(["--", "python3", "-c", "import sys; sys.exit(3)"]) == 3
    assert main([]) == 2
