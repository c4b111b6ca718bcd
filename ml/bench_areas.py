"""Per-area time and memory of one dbt build, for `make bench`.

dbt runs every model (Python models included) inside one process, so the process's peak RSS
says nothing about which step needed the memory. The bench samples the RSS of the build's
process tree twice a second; each dbt node's window (compile start to execute end, from
run_results.json) then picks out the samples taken while it ran. The peak of an area (a
model folder such as `features` or `python_models/segments`) is the highest sample inside
any of its nodes' windows: an upper bound, since memory held from earlier nodes counts too.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _children(pid: int) -> list[int]:
    """Direct children of pid (every thread's children file), [] once it has exited."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_mib(root: int) -> float:
    """Resident memory of root and all its descendants, MiB (0 once they are gone)."""
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        try:
            resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * PAGE_MIB
        stack += _children(pid)
    return total


class RssSampler:
    """Samples (unix time, tree RSS MiB) of a process tree from a thread until stopped."""

    def __init__(self, interval_seconds: float = 0.5) -> None:
        self.interval_seconds = interval_seconds
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pid: int) -> None:
        def sample() -> None:
            while not self._stop.is_set():
                self.samples.append((time.time(), tree_rss_mib(pid)))
                self._stop.wait(self.interval_seconds)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.samples


@dataclass(frozen=True)
class NodeRun:
    unique_id: str
    area: str
    seconds: float
    started: float
    completed: float


def _unix(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def area_of(unique_id: str, original_file_path: str) -> str:
    """The bench's grouping of a dbt node: tests, seeds, or the model's folder."""
    kind = unique_id.split(".", 1)[0]
    if kind == "test":
        return "data tests"
    if kind == "unit_test":
        return "unit tests"
    if kind == "seed":
        return "seeds"
    parts = Path(original_file_path).parts
    if parts and parts[0] == "python_models":
        return f"ml: {parts[1]}" if len(parts) > 2 else "ml"
    folders = [p for p in parts[1:-1] if p != "marts"]
    return folders[0] if folders else "models"


def node_runs(run_results: Path, manifest: Path) -> list[NodeRun]:
    """Every node of the last dbt invocation with its area and time window."""
    if not run_results.exists():
        return []
    paths: dict[str, str] = {}
    if manifest.exists():
        nodes = json.loads(manifest.read_text()).get("nodes", {})
        paths = {uid: node.get("original_file_path", "") for uid, node in nodes.items()}
    runs = []
    for result in json.loads(run_results.read_text())["results"]:
        timing = result.get("timing") or []
        if not timing:
            continue
        uid = result["unique_id"]
        runs.append(
            NodeRun(
                unique_id=uid,
                area=area_of(uid, paths.get(uid, "")),
                seconds=float(result["execution_time"]),
                started=min(_unix(t["started_at"]) for t in timing),
                completed=max(_unix(t["completed_at"]) for t in timing),
            )
        )
    return runs


def area_summary(
    runs: list[NodeRun], samples: list[tuple[float, float]]
) -> list[tuple[str, int, float, float]]:
    """(area, nodes, seconds, peak RSS MiB during its nodes) in order of first start."""
    seconds: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    peak: dict[str, float] = defaultdict(float)
    first: dict[str, float] = {}
    for run in runs:
        seconds[run.area] += run.seconds
        count[run.area] += 1
        first[run.area] = min(first.get(run.area, run.started), run.started)
        inside = [rss for at, rss in samples if run.started <= at <= run.completed]
        if inside:
            peak[run.area] = max(peak[run.area], *inside)
    return [
        (area, count[area], seconds[area], peak[area])
        for area in sorted(seconds, key=lambda a: first[a])
    ]


def area_markdown(summary: list[tuple[str, int, float, float]]) -> list[str]:
    """Markdown lines of the per-area table."""
    lines = [
        "dbt build by area (sum of node times from target/run_results.json; peak = highest",
        "RSS of the build's process tree sampled while the area's nodes ran, an upper bound):",
        "",
        "| area | nodes | seconds | peak memory (MiB) |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {area} | {nodes} | {seconds:.1f} | {peak:,.0f} |"
        for area, nodes, seconds, peak in summary
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """`python -m ml.bench_areas -- CMD ...`: run CMD, print its wall time and peak tree RSS."""
    import subprocess
    import sys

    command = list(sys.argv[1:] if argv is None else argv)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("usage: python -m ml.bench_areas -- CMD [ARGS...]", file=sys.stderr)
        return 2
    sampler = RssSampler()
    started = time.monotonic()
    process = subprocess.Popen(command)
    sampler.start(process.pid)
    exit_code = process.wait()
    peak = max((rss for _, rss in sampler.stop()), default=0.0)
    print(
        f"[peak] exit {exit_code}, {time.monotonic() - started:.1f} s, "
        f"peak process-tree RSS {peak:,.0f} MiB",
        file=sys.stderr,
    )
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
