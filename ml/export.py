"""Export every public mart of a warehouse to Parquet, with a manifest, swapped in atomically.

`exports/` is a symbolic link to the current version folder `exports.<build id>/`; a new
export is written to `exports.building-<id>/`, renamed to its version folder and published by
atomically replacing the link. A killed export leaves the link (and so the previous files) as
they were; the previous version folder is kept so readers in the middle of a scan finish it.

    exports/<mart>.parquet            one file, or a hive-partitioned folder for large marts
    exports/manifest.json             build id, and per mart: rows, columns, partitioning, files

Usage (`make export`): python -m ml.export --warehouse build/instacart.duckdb --out exports
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ml.build_lock import BuildLockedError, build_lock

# Schemas analysts and BI tools read; staging, intermediate, raw checks and seeds are internal.
PUBLIC_SCHEMAS = ("core", "analytics", "features", "experiments", "forecast", "ml")
BUILD_INFO_TABLE = "meta.build_info"

# Large marts are hive-partitioned (a folder <mart>.parquet/<key>=<value>/...): by a natural
# low-cardinality key where there is one, else feature marts and any mart above
# AUTO_PARTITION_MIN_ROWS by a user bucket, so a reader can prune to a slice of users.
PARTITION_KEYS = {"fct_order_lines": "department_id"}
USER_BUCKET_COLUMN = "user_bucket"
USER_BUCKETS = 8
AUTO_PARTITION_MIN_ROWS = 5_000_000

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Mart:
    schema: str
    name: str


@dataclass(frozen=True)
class ExportedMart:
    mart: str
    schema: str
    path: str
    rows: int
    columns: list[dict[str, str]]
    partitioned_by: str | None
    files: int


def public_marts(connection: duckdb.DuckDBPyConnection) -> list[Mart]:
    """Every table and view in the public schemas, discovered (later marts join by themselves)."""
    placeholders = ", ".join("?" for _ in PUBLIC_SCHEMAS)
    rows = connection.execute(
        f"""
        select table_schema, table_name
        from information_schema.tables
        where table_catalog = current_database() and table_schema in ({placeholders})
        order by table_schema, table_name
        """,
        list(PUBLIC_SCHEMAS),
    ).fetchall()
    return [Mart(schema, name) for schema, name in rows]


def build_id_of(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The id `ml.warehouse` stamped into the file; None for a warehouse built by plain dbt."""
    found = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() "
        "and table_schema = 'meta' and table_name = 'build_info'"
    ).fetchone()
    if not found or found[0] == 0:
        return None
    row = connection.execute(f"select build_id from {BUILD_INFO_TABLE}").fetchone()
    return row[0] if row else None


def partition_column(mart: Mart, columns: list[str], rows: int) -> str | None:
    if mart.name in PARTITION_KEYS:
        return PARTITION_KEYS[mart.name]
    if "user_id" in columns and (mart.name.startswith("feat_") or rows >= AUTO_PARTITION_MIN_ROWS):
        return USER_BUCKET_COLUMN
    return None


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def export_mart(connection: duckdb.DuckDBPyConnection, mart: Mart, out_dir: Path) -> ExportedMart:
    relation = f"{quoted(mart.schema)}.{quoted(mart.name)}"
    described = connection.execute(f"describe {relation}").fetchall()
    columns = [{"name": row[0], "type": row[1]} for row in described]
    (rows,) = connection.execute(f"select count(*) from {relation}").fetchone()
    partition = partition_column(mart, [c["name"] for c in columns], rows)
    target = out_dir / f"{mart.name}.parquet"
    if target.exists():
        raise ValueError(f"two public marts are named {mart.name}; export names must be unique")
    select = f"select * from {relation}"
    options = "format parquet, compression zstd"
    if partition == USER_BUCKET_COLUMN:
        select = f"select *, user_id % {USER_BUCKETS} as {USER_BUCKET_COLUMN} from {relation}"
        columns = [*columns, {"name": USER_BUCKET_COLUMN, "type": "INTEGER"}]
    if partition is not None:
        options += f", partition_by ({quoted(partition)})"
    connection.execute(f"copy ({select}) to '{target}' ({options})")
    files = sum(1 for _ in target.rglob("*.parquet")) if target.is_dir() else 1
    return ExportedMart(
        mart=mart.name,
        schema=mart.schema,
        path=target.name,
        rows=rows,
        columns=columns,
        partitioned_by=partition,
        files=files,
    )


def write_exports(warehouse: Path, out_dir: Path, build_id: str | None = None) -> dict:
    """Write every public mart of `warehouse` (opened read-only) and the manifest to `out_dir`."""
    out_dir.mkdir(parents=True)
    started = time.monotonic()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        build_id = build_id or build_id_of(connection)
        marts = public_marts(connection)
        exported = []
        for index, mart in enumerate(marts, start=1):
            mart_started = time.monotonic()
            exported.append(export_mart(connection, mart, out_dir))
            print(
                f"export {index}/{len(marts)}: {mart.schema}.{mart.name} "
                f"({exported[-1].rows:,} rows, {time.monotonic() - mart_started:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    manifest = {
        "build_id": build_id,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "public_schemas": list(PUBLIC_SCHEMAS),
        "marts": [asdict(mart) for mart in exported],
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    fsync_tree(out_dir)
    print(
        f"exported {len(exported)} marts in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return manifest


def fsync_tree(folder: Path) -> None:
    """Make the files durable before a rename makes them visible."""
    for path in sorted(folder.rglob("*"), reverse=True):
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        descriptor = os.open(path, flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def partial_dir(exports: Path, export_id: str) -> Path:
    return exports.with_name(f"{exports.name}.building-{export_id}")


def version_dir(exports: Path, export_id: str) -> Path:
    return exports.with_name(f"{exports.name}.{export_id}")


def stage_exports(warehouse: Path, exports: Path, export_id: str) -> Path:
    """Export into `<exports>.building-<id>/`, then rename it to the version folder.

    Nothing readers see changes until `publish_exports`.
    """
    partial = partial_dir(exports, export_id)
    write_exports(warehouse, partial, build_id=None)
    staged = version_dir(exports, export_id)
    os.replace(partial, staged)
    return staged


def publish_exports(exports: Path, staged: Path) -> None:
    """Point `exports` at `staged` with one atomic rename of a symbolic link; prune old versions.

    The version just replaced is kept, so a reader that resolved the link a moment ago can
    finish reading it.
    """
    previous = exports.resolve() if exports.is_symlink() else None
    if exports.exists() and not exports.is_symlink():
        # A real folder (made by hand or an older layout) cannot be swapped atomically: move it
        # aside once; from then on `exports` is a link.
        os.replace(exports, exports.with_name(f"{exports.name}.{staged.name}-replaced"))
    link = exports.with_name(f"{exports.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(staged.name)
    os.replace(link, exports)
    keep = {staged.resolve(), previous}
    for version in exports.parent.glob(f"{exports.name}.*"):
        if (
            version.is_dir()
            and not version.is_symlink()
            and ".building-" not in version.name
            and version.resolve() not in keep
        ):
            remove_tree(version)


def remove_stale_export_partials(exports: Path) -> None:
    """Delete half-written exports of runs that died; only called while holding the build lock."""
    for partial in exports.parent.glob(f"{exports.name}.building-*"):
        remove_tree(partial)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def export_warehouse(warehouse: Path, exports: Path) -> Path:
    """`make export`: re-export the current warehouse, under the build lock."""
    warehouse = warehouse.resolve()
    exports = exports.absolute()
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `make build` first")
    export_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    with build_lock(warehouse):
        remove_stale_export_partials(exports)
        try:
            staged = stage_exports(warehouse, exports, export_id)
        except BaseException:
            remove_tree(partial_dir(exports, export_id))
            raise
        publish_exports(exports, staged)
    return exports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.export", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path("build/instacart.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("exports"))
    args = parser.parse_args(argv)
    try:
        exports = export_warehouse(args.warehouse, args.out)
    except (FileNotFoundError, BuildLockedError) as exc:
        print(f"export failed, the previous exports are unchanged: {exc}", file=sys.stderr)
        return 1
    print(f"exports in {exports} -> {exports.resolve().name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
