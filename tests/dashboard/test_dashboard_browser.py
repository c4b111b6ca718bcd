"""The dashboard rendered in a real browser (Debian's chromium driven by playwright).

Serves the app on a free local port over a built warehouse, opens every page, waits until its
script finished and its charts are drawn, checks that no error box is shown and that the
headline numbers equal the same SQL run on the warehouse, and saves a PNG per page in
build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.browser import CHROMIUM, visit_all
from dashboard.queries import PAGES

from conftest import PROJECT_ROOT
from dashboard_fixtures import complete_warehouse, expected_headlines, is_built_for

pytestmark = pytest.mark.slow
__all__ = ["complete_warehouse"]  # a fixture used by name below
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def rendered(complete_warehouse: Path) -> list:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs it (make test does)")
    (visits,) = visit_all(complete_warehouse, screenshot_dir=SCREENSHOTS)
    return visits


def test_every_page_renders_its_charts_without_errors(rendered: list) -> None:
    for spec, page in zip(PAGES, rendered, strict=True):
        assert page.errors == [], f"{spec.url_path}: {page.errors}"
        assert page.charts >= spec.charts, f"{spec.url_path}: {page.charts} charts"
        assert (SCREENSHOTS / f"{spec.url_path}.png").stat().st_size > 10_000


def test_headline_numbers_equal_sql(rendered: list, complete_warehouse: Path) -> None:
    for spec, page in zip(PAGES, rendered, strict=True):
        assert is_built_for(complete_warehouse, spec)
        assert page.metrics == expected_headlines(complete_warehouse, spec), spec.url_path
