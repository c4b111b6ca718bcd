"""Pass stamps: skip re-validating files that already passed, keyed by a cheap fingerprint.

The fingerprint covers each file's size, mtime_ns and a hash of its first and last 64 KiB, so
it costs milliseconds even for the 600 MB line file, yet catches rewrites, appends, touches
and edits near either end. It cannot see an in-place edit in the middle of a file that
keeps size and mtime; that is an accepted trade-off for not hashing gigabytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ml.validate.report import ValidationReport
from ml.validate.schema import RAW_FILES

EDGE_BYTES = 64 * 1024
# Bump when the rules change so stamps written by older rules stop counting.
RULES_VERSION = "1"


def _file_fingerprint(path: Path) -> dict[str, Any]:
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(EDGE_BYTES))
        if stat.st_size > EDGE_BYTES:
            handle.seek(max(EDGE_BYTES, stat.st_size - EDGE_BYTES))
            digest.update(handle.read(EDGE_BYTES))
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "edges_sha256": digest.hexdigest()}


def fingerprint(data_dir: Path) -> str | None:
    """Fingerprint of the six files, or None when one is missing (nothing to stamp)."""
    parts: dict[str, Any] = {"rules_version": RULES_VERSION}
    for file in RAW_FILES:
        path = data_dir / file
        if not path.is_file():
            return None
        parts[file] = _file_fingerprint(path)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def stamp_path(cache_dir: Path, print_: str) -> Path:
    return cache_dir / f"{print_}.json"


def read_stamp(cache_dir: Path, print_: str) -> dict[str, int] | None:
    """Row counts recorded by an earlier pass with this fingerprint, if any."""
    path = stamp_path(cache_dir, print_)
    try:
        stamp = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # no stamp, or a torn/corrupt one: just validate again
    if stamp.get("success") is not True or not isinstance(stamp.get("row_counts"), dict):
        return None
    return {str(k): int(v) for k, v in stamp["row_counts"].items()}


def write_stamp(cache_dir: Path, print_: str, report: ValidationReport) -> Path:
    """Record a pass; written to a temp file and renamed so readers never see half a stamp."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "fingerprint": print_,
        "data_dir": str(report.data_dir),
        "success": report.success,
        "row_counts": report.row_counts,
    }
    path = stamp_path(cache_dir, print_)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".stamp-", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)
    return path
