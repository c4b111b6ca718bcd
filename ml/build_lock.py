"""The build lock shared by `ml.warehouse` (builds) and `ml.export` (re-exports).

A module of its own so that `make export` does not import the raw-file checks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class BuildError(RuntimeError):
    """The build failed; the previous warehouse is untouched."""


class BuildLockedError(BuildError):
    """Another build of the same warehouse is running."""


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
