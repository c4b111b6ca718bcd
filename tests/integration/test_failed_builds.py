"""A failed build names what is wrong and never touches the warehouse already built.

One bad-input class per test (copies of the real sample, corrupted), plus a failure inside
dbt (data that passes the file checks but fails a dbt test), plain `dbt build` protected by the
raw_file_checks model, and a second concurrent build refused by the lock.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ml.validate import RawDataError
from ml.warehouse import BuildError, BuildLockedError, build_lock, build_warehouse

from conftest import PROJECT_ROOT, query

pytestmark = pytest.mark.slow


def read_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def edit_field(path: Path, line_number: int, column: str, value: str) -> None:
    """Set one field of one line (1-based, header = line 1) of a simple CSV file."""
    lines = read_lines(path)
    header = lines[0].split(",")
    fields = lines[line_number - 1].split(",")
    fields[header.index(column)] = value
    lines[line_number - 1] = ",".join(fields)
    write_lines(path, lines)


def rename_header_column(path: Path, old: str, new: str) -> None:
    header, *rows = read_lines(path)
    write_lines(path, [header.replace(old, new), *rows])


def append_line(path: Path, line: str) -> None:
    write_lines(path, [*read_lines(path), line])


def first_prior_order_id(data_dir: Path) -> str:
    return read_lines(data_dir / "order_products__prior.csv")[1].split(",")[0]


# name -> (corruption, words the error must contain: file, column or rule, row)
BAD_INPUTS: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "missing file": (
        lambda d: (d / "aisles.csv").unlink(),
        ["aisles.csv", "missing"],
    ),
    "wrong header": (
        lambda d: rename_header_column(d / "orders.csv", "order_dow", "order_day"),
        ["orders.csv", "header", "order_dow"],
    ),
    "non-numeric value": (
        lambda d: edit_field(d / "orders.csv", 3, "order_hour_of_day", "ten"),
        ["orders.csv", "order_hour_of_day", "line 3", "ten"],
    ),
    "duplicate order_id": (
        lambda d: append_line(d / "orders.csv", read_lines(d / "orders.csv")[1]),
        ["orders.csv", "order_id", "unique"],
    ),
    "line of an unknown order": (
        lambda d: append_line(d / "order_products__prior.csv", "99999999,196,1,0"),
        ["order_products__prior.csv", "order_id", "99999999"],
    ),
    "line of an unknown product": (
        lambda d: append_line(
            d / "order_products__prior.csv", f"{first_prior_order_id(d)},999999,99,0"
        ),
        ["order_products__prior.csv", "product_id", "999999"],
    ),
    "out-of-range hour": (
        lambda d: edit_field(d / "orders.csv", 5, "order_hour_of_day", "25"),
        ["orders.csv", "order_hour_of_day", "line 5", "25"],
    ),
    "empty file": (
        lambda d: (d / "departments.csv").write_text(""),
        ["departments.csv", "empty"],
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_warehouse(sample_warehouse: Path) -> tuple[Path, str, int]:
    (orders,) = query(sample_warehouse, "select count(*) from core.fct_orders")[0]
    return sample_warehouse, sha256(sample_warehouse), orders


@pytest.fixture
def earlier_warehouse(tmp_path: Path, good_warehouse: tuple[Path, str, int]) -> Path:
    """A private copy of a good warehouse that a failed build must leave as it is."""
    target = tmp_path / "warehouse" / "instacart.duckdb"
    target.parent.mkdir()
    shutil.copy(good_warehouse[0], target)
    return target


@pytest.fixture
def data_copy(tmp_path: Path, sample_data_dir: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(sample_data_dir, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def assert_unchanged(warehouse: Path, good_warehouse: tuple[Path, str, int]) -> None:
    _, digest, orders = good_warehouse
    assert sha256(warehouse) == digest
    assert query(warehouse, "select count(*) from core.fct_orders")[0][0] == orders
    leftovers = [p.name for p in warehouse.parent.iterdir() if ".building-" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_named_and_warehouse_kept(
    case: str,
    data_copy: Path,
    earlier_warehouse: Path,
    good_warehouse: tuple[Path, str, int],
    tmp_path: Path,
) -> None:
    corrupt, expected_words = BAD_INPUTS[case]
    corrupt(data_copy)
    with pytest.raises(RawDataError) as failure:
        build_warehouse(data_copy, earlier_warehouse, validation_cache=tmp_path / "cache")
    message = str(failure.value)
    missing = [word for word in expected_words if not re.search(re.escape(word), message, re.I)]
    assert missing == [], f"error message lacks {missing}:\n{message}"
    assert_unchanged(earlier_warehouse, good_warehouse)


def test_failing_dbt_test_keeps_warehouse(
    data_copy: Path,
    earlier_warehouse: Path,
    good_warehouse: tuple[Path, str, int],
    tmp_path: Path,
) -> None:
    """Flags that pass every file check but contradict the purchase history fail in dbt."""
    prior = data_copy / "order_products__prior.csv"
    lines = read_lines(prior)
    first_line_of_history = lines[1].split(",")
    first_line_of_history[3] = "1" if first_line_of_history[3] == "0" else "0"
    lines[1] = ",".join(first_line_of_history)
    write_lines(prior, lines)
    with pytest.raises(BuildError):
        build_warehouse(data_copy, earlier_warehouse, validation_cache=tmp_path / "cache")
    assert_unchanged(earlier_warehouse, good_warehouse)


def test_plain_dbt_build_checks_raw_files(data_copy: Path, tmp_path: Path) -> None:
    """An analytics engineer's own `dbt build` runs the raw-file checks first and stops."""
    edit_field(data_copy / "orders.csv", 4, "order_dow", "9")
    env = {
        **os.environ,
        "INSTACART_DATA_DIR": str(data_copy),
        "INSTACART_WAREHOUSE_PATH": str(tmp_path / "plain.duckdb"),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
    }
    dbt = Path(sys.executable).parent / "dbt"
    completed = subprocess.run(
        [
            str(dbt),
            "build",
            "--select",
            "+stg_orders",
            "--vars",
            f"{{validation_cache_dir: {tmp_path / 'cache'}}}",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "orders.csv" in output and "order_dow" in output, output[-3000:]
    assert re.search(r"SKIP relation staging\.stg_orders", output), output[-3000:]


def test_second_concurrent_build_is_refused(tmp_path: Path, sample_data_dir: Path) -> None:
    warehouse = tmp_path / "instacart.duckdb"
    with build_lock(warehouse), pytest.raises(BuildLockedError, match="another build"):
        build_warehouse(sample_data_dir, warehouse, validation_cache=tmp_path / "cache")
    assert not warehouse.exists()
