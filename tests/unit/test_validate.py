"""ml.validate on real Instacart sample rows: clean copies pass, each corruption is named.

Every test copies the sample to a tmp dir, edits the copy, and runs the real validator (DuckDB +
great-expectations); nothing is mocked.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ml.validate import RawDataError, ValidationReport, ensure_valid, validate_data_dir

SAMPLE_DIR = Path(os.environ.get("INSTACART_SAMPLE_DIR", "/work/shared/data/instacart_sample"))
REPO_ROOT = Path(__file__).resolve().parents[2]


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the real sample (never edit the shared original)."""
    if not (SAMPLE_DIR / "orders.csv").is_file():
        pytest.skip(f"Instacart sample not found at {SAMPLE_DIR} (set INSTACART_SAMPLE_DIR)")
    target = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, target)
    for path in target.iterdir():
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


def read_lines(path: Path) -> list[str]:
    """File lines without line endings (line N of the file is index N - 1)."""
    return path.read_text(encoding="utf-8").splitlines()


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_field(path: Path, line_no: int, column: str, value: str) -> str:
    """Set one unquoted field on 1-based `line_no`; return the old value."""
    lines = read_lines(path)
    header = lines[0].split(",")
    fields = lines[line_no - 1].split(",")
    old = fields[header.index(column)]
    fields[header.index(column)] = value
    lines[line_no - 1] = ",".join(fields)
    write_lines(path, lines)
    return old


def find_line(path: Path, **wanted: str) -> int:
    """1-based number of the first data line whose fields equal `wanted`."""
    lines = read_lines(path)
    header = lines[0].split(",")
    for number, text in enumerate(lines[1:], start=2):
        fields = dict(zip(header, text.split(","), strict=False))
        if all(fields.get(k) == v for k, v in wanted.items()):
            return number
    raise AssertionError(f"no line with {wanted} in {path.name}")


def failure_text(data: Path) -> str:
    report = validate_data_dir(data, progress=False)
    assert not report.success, "corrupted data unexpectedly passed"
    return report.summary()


def the_failure(text: str, starts: str) -> str:
    """The report line beginning with `starts` (file + column), which must exist."""
    for line in text.splitlines():
        if line.startswith(f"- {starts}"):
            return line
    raise AssertionError(f"no failure starting with {starts!r} in:\n{text}")


# --- clean data passes ---------------------------------------------------------------------


def test_pristine_sample_passes(data_dir: Path) -> None:
    report = validate_data_dir(data_dir, progress=False)
    assert report.success, report.summary()
    assert report.row_counts["orders.csv"] == len(read_lines(data_dir / "orders.csv")) - 1
    assert report.row_counts["departments.csv"] == 21
    assert report.summary().startswith("OK:")


def test_files_saved_by_common_tools_pass(data_dir: Path) -> None:
    """CRLF, BOM, padded and unpadded hours, integer and real days, no trailing newline."""
    orders = data_dir / "orders.csv"
    lines = read_lines(orders)
    rewritten = [lines[0]]
    for i, line in enumerate(lines[1:]):
        fields = line.split(",")
        hour = int(fields[5])
        fields[5] = f"{hour:02d}" if i % 2 else str(hour)  # both `08` and `8`
        if fields[6] and i % 3:
            fields[6] = str(int(float(fields[6])))  # `30` as well as `30.0`
        rewritten.append(",".join(fields))
    assert any(f.split(",")[5] == "08" for f in rewritten[1:])
    assert any(f.split(",")[5] == "8" for f in rewritten[1:])
    for path in data_dir.glob("*.csv"):
        body = rewritten if path == orders else read_lines(path)
        text = "\r\n".join(body)
        if path.name != "aisles.csv":  # aisles: no trailing newline at all
            text += "\r\n"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = validate_data_dir(data_dir, progress=False)
    assert report.success, report.summary()


# --- one test per bad-input class -------------------------------------------------------------


def test_missing_file(data_dir: Path) -> None:
    (data_dir / "aisles.csv").unlink()
    line = the_failure(failure_text(data_dir), "aisles.csv")
    assert "rule file present" in line and "missing" in line


def test_wrong_header(data_dir: Path) -> None:
    path = data_dir / "orders.csv"
    lines = read_lines(path)
    lines[0] = lines[0].replace("order_dow,order_hour_of_day", "order_hour_of_day,order_dow")
    write_lines(path, lines)
    line = the_failure(failure_text(data_dir), "orders.csv, column header")
    assert "rule expect_table_columns_to_match_ordered_list" in line
    assert "expected order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day" in line
    assert "found order_id,user_id,eval_set,order_number,order_hour_of_day,order_dow" in line


def test_non_numeric_value(data_dir: Path) -> None:
    set_field(data_dir / "order_products__prior.csv", 5, "product_id", "abc")
    line = the_failure(failure_text(data_dir), "order_products__prior.csv, column product_id")
    assert "rule expect_column_values_to_not_be_null(value present, parses as INTEGER)" in line
    assert "1 of 29,653 rows fail" in line
    assert "line 5: 'abc'" in line


def test_duplicate_order_id(data_dir: Path) -> None:
    path = data_dir / "orders.csv"
    lines = read_lines(path)
    copy = lines[2].split(",")  # line 3
    copy[3], copy[6] = "99", "7.0"  # new order_number so only order_id repeats
    write_lines(path, [*lines, ",".join(copy)])
    line = the_failure(failure_text(data_dir), "orders.csv, column order_id,")
    assert "rule expect_column_values_to_be_unique" in line
    assert f"line 3: {copy[0]}" in line and f"line {len(lines) + 1}: {copy[0]}" in line


def test_line_whose_order_does_not_exist(data_dir: Path) -> None:
    set_field(data_dir / "order_products__train.csv", 7, "order_id", "99999999")
    line = the_failure(failure_text(data_dir), "order_products__train.csv, column order_id")
    assert "rule expect_column_values_to_be_in_set(order_id exists in orders.csv)" in line
    assert "line 7: 99999999 not in orders.csv" in line


def test_line_whose_product_does_not_exist(data_dir: Path) -> None:
    set_field(data_dir / "order_products__prior.csv", 12, "product_id", "777777")
    line = the_failure(failure_text(data_dir), "order_products__prior.csv, column product_id")
    assert "rule expect_column_values_to_be_in_set(product_id exists in products.csv)" in line
    assert "line 12: 777777 not in products.csv" in line


def test_out_of_range_hour(data_dir: Path) -> None:
    set_field(data_dir / "orders.csv", 18, "order_hour_of_day", "25")
    line = the_failure(failure_text(data_dir), "orders.csv, column order_hour_of_day")
    assert line == (
        "- orders.csv, column order_hour_of_day, rule expect_column_values_to_be_between(0, 23): "
        "1 of 3,068 rows fail, e.g. line 18: 25"
    )


@pytest.mark.parametrize(
    ("content", "why"), [(b"", "no header line"), (b"department_id,department\r\n", "header only")]
)
def test_empty_file(data_dir: Path, content: bytes, why: str) -> None:
    (data_dir / "departments.csv").write_bytes(content)
    text = failure_text(data_dir)
    line = the_failure(text, "departments.csv is empty")
    assert why in line and "rule expect_table_row_count_to_be_between(min 1)" in line


def test_first_order_with_days(data_dir: Path) -> None:
    path = data_dir / "orders.csv"
    number = find_line(path, order_number="1")
    set_field(path, number, "days_since_prior_order", "5.0")
    line = the_failure(failure_text(data_dir), "orders.csv, column days_since_prior_order")
    assert "rule expect_column_values_to_be_null(where order_number = 1)" in line
    assert f"line {number}: user_id=" in line and "days_since_prior_order=5" in line


def test_test_order_with_lines(data_dir: Path) -> None:
    orders = data_dir / "orders.csv"
    number = find_line(orders, eval_set="test")
    order_id = read_lines(orders)[number - 1].split(",")[0]
    train = data_dir / "order_products__train.csv"
    lines = read_lines(train)
    write_lines(train, [*lines, f"{order_id},1,1,0"])
    text = failure_text(data_dir)
    on_orders = the_failure(text, "orders.csv, column order_id")
    assert (
        "rule expect_column_values_to_be_in_set(has_lines in {0}, where eval_set = test)"
        in on_orders
    )
    assert f"line {number}: test order {order_id} has lines" in on_orders
    on_lines = the_failure(text, "order_products__train.csv, column order_id")
    assert "rule expect_column_values_to_be_in_set(order's eval_set in {train})" in on_lines
    assert f"line {len(lines) + 1}: order {order_id} is test" in on_lines


def test_every_failing_rule_is_reported(data_dir: Path) -> None:
    set_field(data_dir / "orders.csv", 18, "order_hour_of_day", "24")
    set_field(data_dir / "orders.csv", 20, "order_dow", "9")
    set_field(data_dir / "products.csv", 3, "aisle_id", "x1")
    text = failure_text(data_dir)
    assert "failed 3 rule(s)" in text
    assert "line 18: 24" in text and "line 20: 9" in text and "line 3: 'x1'" in text


# --- cache stamp and public API --------------------------------------------------------------


def test_cache_stamp_skips_then_revalidates_on_change(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = ensure_valid(data_dir, cache, progress=False)
    assert first.success and not first.from_cache
    stamps = list(cache.glob("*.json"))
    assert len(stamps) == 1

    second = ensure_valid(data_dir, cache, progress=False)
    assert second.from_cache and second.row_counts == first.row_counts

    set_field(data_dir / "orders.csv", 18, "order_hour_of_day", "25")
    with pytest.raises(RawDataError) as raised:
        ensure_valid(data_dir, cache, progress=False)
    assert "orders.csv, column order_hour_of_day" in str(raised.value)
    assert isinstance(raised.value.report, ValidationReport)
    assert len(list(cache.glob("*.json"))) == 1  # failures are never stamped


def test_cache_stamp_notices_touch(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ensure_valid(data_dir, cache, progress=False)
    path = data_dir / "aisles.csv"
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    again = ensure_valid(data_dir, cache, progress=False)
    assert not again.from_cache
    assert len(list(cache.glob("*.json"))) == 2


# --- CLI ------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ml.validate", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_cli_exit_codes(data_dir: Path, tmp_path: Path) -> None:
    ok = run_cli(str(data_dir))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK:") and "orders.csv 3,068" in ok.stdout
    # stderr carries only our progress lines: no GX/DuckDB progress bars or warnings.
    assert all(line.startswith("[validate] ") for line in ok.stderr.splitlines()), ok.stderr

    set_field(data_dir / "orders.csv", 18, "order_hour_of_day", "25")
    bad = run_cli(str(data_dir), "--quiet")
    assert bad.returncode == 1
    assert "orders.csv, column order_hour_of_day" in bad.stderr and "line 18: 25" in bad.stderr

    usage = run_cli(str(tmp_path / "no-such-dir"))
    assert usage.returncode == 2
    assert run_cli().returncode == 2
