"""Build the warehouse atomically: validate the raw files, run `dbt build` into a new file,
and swap it in only when everything passed; then publish its Parquet exports (ml.export).

A failed build (bad input, a failing dbt test, a crash, SIGKILL) never touches the current
warehouse file: readers keep the last good one. Usage:

    python -m ml.warehouse build --data-dir DIR [--warehouse build/instacart.duckdb]
        [--exports-dir exports]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# BuildLockedError and build_lock are re-exported: callers import them from here.
from ml.build_lock import BuildError, build_lock
from ml.build_lock import BuildLockedError as BuildLockedError
from ml.export import (
    partial_dir,
    publish_exports,
    remove_stale_export_partials,
    remove_tree,
    stage_exports,
)
from ml.validate import RawDataError, ensure_valid

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_ROOT / "build" / "instacart.duckdb"
VALIDATION_CACHE = PROJECT_ROOT / "build" / "validated"


@dataclass(frozen=True)
class BuildResult:
    warehouse: Path
    build_id: str
    seconds: float


def dbt_executable() -> Path:
    """The dbt of the running interpreter's environment (the project's .venv)."""
    return Path(sys.executable).parent / "dbt"


def remove_stale_partials(warehouse: Path) -> None:
    """Delete partial files left by builds that died; only called while holding the lock."""
    for partial in warehouse.parent.glob(warehouse.name + ".building-*"):
        remove_path(partial)


def remove_path(path: Path) -> None:
    """Delete a file or a directory tree (DuckDB spills into a `<database>.tmp` folder)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def die_with_parent() -> None:
    """preexec_fn for dbt: Linux sends it SIGKILL when the build process dies (even by SIGKILL),
    so an orphaned dbt never keeps writing a partial file that the next build deletes."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def run_dbt(args: list[str], warehouse_path: Path, data_dir: Path, validation_cache: Path) -> None:
    """Run one dbt command against `warehouse_path`, streaming its output; raise on failure."""
    env = dict(os.environ)
    env["INSTACART_WAREHOUSE_PATH"] = str(warehouse_path)
    env["INSTACART_DATA_DIR"] = str(data_dir)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT / "profiles"))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    command = [
        str(dbt_executable()),
        *args,
        "--vars",
        json.dumps({"data_dir": str(data_dir), "validation_cache_dir": str(validation_cache)}),
    ]
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, check=False, preexec_fn=die_with_parent
    )
    if completed.returncode != 0:
        raise BuildError(f"`dbt {' '.join(args)}` failed with exit code {completed.returncode}")


def stamp_and_checkpoint(database: Path, build_id: str, data_dir: Path) -> None:
    """Record the build's id in `meta.build_info` (readers and the export manifest show which
    build they see), and fold the write-ahead log into the file, so renaming it moves everything.
    """
    import duckdb

    built_at_utc = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema if not exists meta")
        connection.execute(
            "create or replace table meta.build_info as select ? as build_id, "
            "cast(? as timestamp) as built_at_utc, ? as data_dir",
            [build_id, built_at_utc, str(data_dir)],
        )
        # The shell banner reads the comment (catalog only, so no error on unstamped files).
        comment = f"build {build_id}, built {built_at_utc} UTC".replace("'", "''")
        connection.execute(f"comment on table meta.build_info is '{comment}'")
        connection.execute("checkpoint")


def build_warehouse(
    data_dir: Path,
    warehouse: Path = DEFAULT_WAREHOUSE,
    dbt_args: tuple[str, ...] = (),
    validation_cache: Path = VALIDATION_CACHE,
    exports_dir: Path | None = None,
) -> BuildResult:
    """Validate `data_dir`, build a fresh warehouse next to `warehouse`, then swap it in.

    With `exports_dir`, the marts are exported from the new file before the swap and the
    exports published right after it, so they always describe the warehouse swapped in.
    """
    started = time.monotonic()
    data_dir = data_dir.resolve()
    warehouse = warehouse.resolve()
    if not data_dir.is_dir():
        raise BuildError(f"data directory {data_dir} does not exist")
    # The lock comes first so a second build is refused at once, not after validation.
    with build_lock(warehouse):
        # Bad input stops here, before dbt reads anything (the dbt DAG re-checks via the cache).
        print(f"validating raw files in {data_dir}", file=sys.stderr, flush=True)
        ensure_valid(data_dir, cache_dir=validation_cache)
        remove_stale_partials(warehouse)
        if exports_dir is not None:
            exports_dir = exports_dir.absolute()
            remove_stale_export_partials(exports_dir)
        build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
        partial = warehouse.with_name(f"{warehouse.name}.building-{build_id}")
        staged_exports = None
        try:
            run_dbt(["build", *dbt_args], partial, data_dir, validation_cache)
            stamp_and_checkpoint(partial, build_id, data_dir)
            # Make the bytes durable before the rename makes them visible.
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            if exports_dir is not None:
                try:
                    staged_exports = stage_exports(partial, exports_dir, build_id)
                except Exception as exc:
                    raise BuildError(f"exporting the marts to Parquet failed: {exc}") from exc
            os.replace(partial, warehouse)
        except BaseException:
            remove_path(partial)
            remove_path(Path(str(partial) + ".wal"))
            if exports_dir is not None:
                remove_tree(partial_dir(exports_dir, build_id))
                if staged_exports is not None:
                    remove_tree(staged_exports)
            raise
        finally:
            remove_path(Path(str(partial) + ".tmp"))
        if staged_exports is not None:
            publish_exports(exports_dir, staged_exports)
    return BuildResult(warehouse, build_id, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.warehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="validate, dbt build into a new file, swap it in")
    build.add_argument("--data-dir", type=Path, required=True)
    build.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    build.add_argument("--validation-cache", type=Path, default=VALIDATION_CACHE)
    build.add_argument(
        "--exports-dir", type=Path, help="also publish Parquet exports of the marts here"
    )
    build.add_argument("dbt_args", nargs="*", help="extra dbt build arguments (after --)")
    args = parser.parse_args(argv)
    try:
        result = build_warehouse(
            args.data_dir,
            args.warehouse,
            tuple(args.dbt_args),
            args.validation_cache,
            args.exports_dir,
        )
    except RawDataError as exc:
        print(f"\nraw data check failed, nothing was built:\n{exc}", file=sys.stderr)
        return 1
    except BuildError as exc:
        print(f"\nbuild failed, the previous warehouse is unchanged: {exc}", file=sys.stderr)
        return 1
    print(f"warehouse {result.warehouse} built in {result.seconds:.1f} s (build {result.build_id})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
