"""Readers keep working while the warehouse is rebuilt, and faults never leave a broken one.

One scenario on a private copy of the real-sample warehouse (with its exports), observed by
the tests below: a reader holds a read-only connection throughout; a `python -m ml.warehouse
build` (the `make build` command) is killed with SIGKILL halfway through dbt; then the next
build runs to the end without any clean-up in between.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ml.export import MANIFEST, export_warehouse
from ml.warehouse import BuildResult, build_lock, build_warehouse

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"
# dbt models completed before the SIGKILL: well inside the ~45-node DAG.
MODELS_BEFORE_KILL = 10
READ_SQL = "select (select build_id from meta.build_info), (select count(*) from core.fct_orders)"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_in_new_process(warehouse: Path) -> tuple[str, int]:
    """What a newly started reader (the pinned shell, read-only) sees."""
    shell = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-csv", "-noheader", str(warehouse), "-c", READ_SQL],
        capture_output=True,
        text=True,
        check=True,
    )
    build_id, orders = shell.stdout.strip().split(",")
    return build_id, int(orders)


def manifest_of(exports: Path) -> dict:
    return json.loads((exports / MANIFEST).read_text())


def exports_readable(exports: Path) -> bool:
    """Every file of the manifest reads with polars and has the rows the manifest says."""
    for entry in manifest_of(exports)["marts"]:
        path = exports / entry["path"]
        source = path / "**" / "*.parquet" if path.is_dir() else path
        if pl.read_parquet(source, hive_partitioning=path.is_dir()).height != entry["rows"]:
            return False
    return True


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may be slow to reap orphans)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_until_gone(pid: int, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not is_running(pid):
            return True
        time.sleep(0.1)
    return False


@dataclass
class Scenario:
    old: tuple[str, int]
    old_sha: str
    old_manifest: str
    held_during_kill: tuple[str, int]
    new_reader_after_kill: tuple[str, int]
    sha_after_kill: str
    manifest_after_kill: str
    exports_readable_after_kill: bool
    leftovers_after_kill: list[str]
    dbt_child_died: bool
    build: BuildResult
    held_after_build: tuple[str, int]
    new_reader_after_build: tuple[str, int]
    manifest_after_build: dict
    exports_readable_after_build: bool
    leftovers_after_build: list[str]


def kill_build_halfway(
    data_dir: Path, warehouse: Path, exports: Path, cache: Path
) -> tuple[int | None, bool]:
    """Start `python -m ml.warehouse build`, SIGKILL it after a few dbt models; return dbt's pid."""
    builder = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ml.warehouse",
            "build",
            "--data-dir",
            str(data_dir),
            "--warehouse",
            str(warehouse),
            "--exports-dir",
            str(exports),
            "--validation-cache",
            str(cache),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert builder.stdout is not None
    created = 0
    for line in builder.stdout:
        created += bool(re.search(r"\bOK created\b", line))
        if created >= MODELS_BEFORE_KILL:
            break
    assert created >= MODELS_BEFORE_KILL, "the build ended before it could be killed"
    children = Path(f"/proc/{builder.pid}/task/{builder.pid}/children").read_text().split()
    dbt_pid = int(children[0]) if children else None
    builder.kill()
    builder.wait()
    builder.stdout.close()
    return dbt_pid, dbt_pid is None or wait_until_gone(dbt_pid)


@pytest.fixture(scope="module")
def scenario(
    sample_warehouse: Path, sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Scenario:
    root = tmp_path_factory.mktemp("live")
    warehouse = root / "instacart.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    exports = export_warehouse(warehouse, root / "exports")
    cache = root / "validated"
    old_manifest = (exports / MANIFEST).read_text()
    old_sha = sha256(warehouse)

    held = duckdb.connect(str(warehouse), read_only=True)
    try:
        old = held.execute(READ_SQL).fetchone()
        _, dbt_child_died = kill_build_halfway(sample_data_dir, warehouse, exports, cache)
        held_during_kill = held.execute(READ_SQL).fetchone()
        new_reader_after_kill = read_in_new_process(warehouse)
        sha_after_kill = sha256(warehouse)
        manifest_after_kill = (exports / MANIFEST).read_text()
        readable_after_kill = exports_readable(exports)
        leftovers_after_kill = leftovers(root)
        # An export killed while writing leaves a partial folder like this one.
        (root / "exports.building-killed").mkdir()

        build = build_warehouse(
            sample_data_dir, warehouse, validation_cache=cache, exports_dir=exports
        )
        held_after_build = held.execute(READ_SQL).fetchone()
    finally:
        held.close()
    return Scenario(
        old=old,
        old_sha=old_sha,
        old_manifest=old_manifest,
        held_during_kill=held_during_kill,
        new_reader_after_kill=new_reader_after_kill,
        sha_after_kill=sha_after_kill,
        manifest_after_kill=manifest_after_kill,
        exports_readable_after_kill=readable_after_kill,
        leftovers_after_kill=leftovers_after_kill,
        dbt_child_died=dbt_child_died,
        build=build,
        held_after_build=held_after_build,
        new_reader_after_build=read_in_new_process(warehouse),
        manifest_after_build=manifest_of(exports),
        exports_readable_after_build=exports_readable(exports),
        leftovers_after_build=leftovers(root),
    )


def test_killed_build_leaves_last_good_warehouse_and_exports(scenario: Scenario) -> None:
    assert scenario.leftovers_after_kill, "the build was not killed halfway (no partial file)"
    assert scenario.sha_after_kill == scenario.old_sha
    assert scenario.held_during_kill == scenario.old
    assert scenario.new_reader_after_kill == scenario.old
    assert scenario.manifest_after_kill == scenario.old_manifest
    assert scenario.exports_readable_after_kill


def test_killed_build_takes_its_dbt_process_with_it(scenario: Scenario) -> None:
    assert scenario.dbt_child_died


def test_next_build_succeeds_without_clean_up(scenario: Scenario) -> None:
    assert scenario.build.build_id != scenario.old[0]
    assert scenario.leftovers_after_build == []


def test_reader_keeps_its_snapshot_and_new_readers_see_the_new_build(scenario: Scenario) -> None:
    assert scenario.held_after_build == scenario.old
    assert scenario.new_reader_after_build == (scenario.build.build_id, scenario.old[1])


def test_exports_describe_the_build_swapped_in(scenario: Scenario) -> None:
    assert scenario.manifest_after_build["build_id"] == scenario.build.build_id
    assert scenario.exports_readable_after_build


def test_second_build_is_refused_at_once_with_a_clear_message(
    tmp_path: Path, sample_data_dir: Path
) -> None:
    """`make build` and `make export` while another build holds the lock: exit 1, say why."""
    warehouse = tmp_path / "instacart.duckdb"
    commands = [
        [
            "ml.warehouse",
            "build",
            "--data-dir",
            str(sample_data_dir),
            "--warehouse",
            str(warehouse),
        ],
        ["ml.export", "--warehouse", str(warehouse), "--out", str(tmp_path / "exports")],
    ]
    warehouse.touch()
    with build_lock(warehouse):
        for command in commands:
            refused = subprocess.run(
                [sys.executable, "-m", *command],
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            assert refused.returncode == 1, refused.stderr
            assert f"another build of {warehouse} is running" in refused.stderr, refused.stderr
            assert "previous" in refused.stderr and "unchanged" in refused.stderr
    assert warehouse.stat().st_size == 0
    assert leftovers(tmp_path) == [] and not (tmp_path / "exports").exists()
