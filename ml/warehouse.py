"""Build the warehouse atomically: validate the raw files, run `dbt build` into a new file,
and swap it in only when everything passed.

A failed build (bad input, a failing dbt test, a crash, SIGKILL) never touches the current
warehouse file: readers keep the last good one. Usage:

    python -m ml.warehouse build --data-dir DIR [--warehouse build/instacart.duckdb]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ml.validate import RawDataError, ensure_valid

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_ROOT / "build" / "instacart.duckdb"
VALIDATION_CACHE = PROJECT_ROOT / "build" / "validated"


class BuildError(RuntimeError):
    """The build failed; the previous warehouse is untouched."""


class BuildLockedError(BuildError):
    """Another build of the same warehouse is running."""


@dataclass(frozen=True)
class BuildResult:
    warehouse: Path
    build_id: str
    seconds: float


def dbt_executable() -> Path:
    """The dbt of the running interpreter's environment (the project's .venv)."""
    return Path(sys.executable).parent / "dbt"


@contextlib.contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for building `warehouse`.

    flock is released by the kernel when the process dies (even by SIGKILL), so a killed
    build never leaves a stale lock behind.
    """
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLockedError(
                f"another build of {warehouse} is running (lock {lock_path}); "
                "wait for it to finish and try again"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield


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
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False)
    if completed.returncode != 0:
        raise BuildError(f"`dbt {' '.join(args)}` failed with exit code {completed.returncode}")


def checkpoint(database: Path) -> None:
    """Fold any write-ahead log into the file itself, so renaming the file moves everything."""
    if Path(str(database) + ".wal").exists():
        import duckdb

        with duckdb.connect(str(database)) as connection:
            connection.execute("checkpoint")


def build_warehouse(
    data_dir: Path,
    warehouse: Path = DEFAULT_WAREHOUSE,
    dbt_args: tuple[str, ...] = (),
    validation_cache: Path = VALIDATION_CACHE,
) -> BuildResult:
    """Validate `data_dir`, build a fresh warehouse next to `warehouse`, then swap it in."""
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
        build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
        partial = warehouse.with_name(f"{warehouse.name}.building-{build_id}")
        try:
            run_dbt(["build", *dbt_args], partial, data_dir, validation_cache)
            # dbt has closed its connection, so the file is checkpointed; make the bytes
            # durable before the rename makes them visible.
            checkpoint(partial)
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, warehouse)
        except BaseException:
            remove_path(partial)
            remove_path(Path(str(partial) + ".wal"))
            raise
        finally:
            remove_path(Path(str(partial) + ".tmp"))
    return BuildResult(warehouse, build_id, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.warehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="validate, dbt build into a new file, swap it in")
    build.add_argument("--data-dir", type=Path, required=True)
    build.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    build.add_argument("--validation-cache", type=Path, default=VALIDATION_CACHE)
    build.add_argument("dbt_args", nargs="*", help="extra dbt build arguments (after --)")
    args = parser.parse_args(argv)
    try:
        result = build_warehouse(
            args.data_dir, args.warehouse, tuple(args.dbt_args), args.validation_cache
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
