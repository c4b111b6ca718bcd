"""Shared fixtures: real data sets and real warehouses, built once per test session.

Nothing here is mocked: `synthetic_data` runs ml.synthetic, `build_warehouse_for` runs the
same atomic build as `make build` (great-expectations checks + `dbt build`) into a temporary
DuckDB file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ml.warehouse import build_warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT.parent / "shared" / "data" / "instacart_sample"

# Small enough to build in seconds, large enough that every persona and association shows.
SYNTHETIC_TEST_USERS = 3000
SYNTHETIC_TEST_SEED = 7


@pytest.fixture(scope="session")
def sample_data_dir() -> Path:
    """Genuine Instacart rows (206 users), read in place from ../shared."""
    if not (SAMPLE_DIR / "orders.csv").exists():
        pytest.skip(f"real Instacart sample not found at {SAMPLE_DIR}")
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic data set with its truth/ folder, generated once per session.

    It carries a planted campaign (experiment_assignments.csv, truth/campaign.json) for the
    experiments tests; the campaign only adds lines to treated users' post-assignment prior
    orders, so the other files and the final-order truth are unchanged.
    """
    from ml.synthetic import generate
    from ml.synthetic.campaign import add_campaign

    out_dir = tmp_path_factory.mktemp("synthetic") / "data"
    generate(users=SYNTHETIC_TEST_USERS, seed=SYNTHETIC_TEST_SEED, out_dir=out_dir)
    add_campaign(out_dir, seed=SYNTHETIC_TEST_SEED)
    return out_dir


@pytest.fixture(scope="session")
def build_warehouse_for(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Path], Path]:
    """Build (once per data dir per session) a warehouse from a data dir; return its path."""
    built: dict[Path, Path] = {}

    def build(data_dir: Path) -> Path:
        data_dir = data_dir.resolve()
        if data_dir not in built:
            target = tmp_path_factory.mktemp("warehouse") / "instacart.duckdb"
            build_warehouse(data_dir, target)
            built[data_dir] = target
        return built[data_dir]

    return build


@pytest.fixture(scope="session")
def sample_warehouse(build_warehouse_for: Callable[[Path], Path], sample_data_dir: Path) -> Path:
    return build_warehouse_for(sample_data_dir)


@pytest.fixture(scope="session")
def synthetic_warehouse(
    build_warehouse_for: Callable[[Path], Path], synthetic_data_dir: Path
) -> Path:
    return build_warehouse_for(synthetic_data_dir)


def query(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    """Run one query on a warehouse opened read-only (as analysts and BI tools do)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()
