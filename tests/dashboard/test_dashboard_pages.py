"""Page logic with Streamlit's AppTest (no browser): every page on real built warehouses.

Headline numbers must equal the page's SQL run on the warehouse; a few are also checked
against independent SQL, filters must filter, and missing parts must say "run make build".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.queries import PAGES, PageSpec

from conftest import PROJECT_ROOT, query
from dashboard_fixtures import (
    complete_warehouse,
    expected_headlines,
    partial_warehouse,
)

pytestmark = pytest.mark.slow
__all__ = ["complete_warehouse", "partial_warehouse"]  # fixtures used by name below
ML_PAGES = ("clusters", "recommendations", "experiments", "forecast")


def _render(url_path: str) -> None:
    from dashboard.site import render_page

    render_page(url_path)


def run_page(
    monkeypatch: pytest.MonkeyPatch, warehouse: Path, url_path: str, **widgets: object
) -> AppTest:
    """Render one page on `warehouse`; `widgets` maps widget keys to values set before a rerun."""
    monkeypatch.setenv("INSTACART_WAREHOUSE_PATH", str(warehouse))
    app = AppTest.from_function(_render, args=(url_path,), default_timeout=120)
    app.run()
    if widgets:
        for key, value in widgets.items():
            widget = app.multiselect(key=key) if isinstance(value, list) else app.selectbox(key=key)
            widget.set_value(value)
        app.run()
    assert not app.exception, [item.value for item in app.exception]
    assert not app.error, [item.value for item in app.error]
    return app


def shown_metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.url_path)
def test_page_headlines_equal_sql(
    monkeypatch: pytest.MonkeyPatch, complete_warehouse: Path, spec: PageSpec
) -> None:
    app = run_page(monkeypatch, complete_warehouse, spec.url_path)
    assert app.title[0].value == spec.title
    assert shown_metrics(app) == expected_headlines(complete_warehouse, spec)


@pytest.mark.parametrize("url_path", ML_PAGES)
def test_unbuilt_parts_say_run_make_build(
    monkeypatch: pytest.MonkeyPatch, partial_warehouse: Path, url_path: str
) -> None:
    app = run_page(monkeypatch, partial_warehouse, url_path)
    assert any("run `make build`" in item.value for item in app.info)
    assert not app.metric


def test_overview_matches_independent_sql(
    monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path
) -> None:
    metrics = shown_metrics(run_page(monkeypatch, sample_warehouse, "overview"))
    ((users, orders),) = query(
        sample_warehouse,
        "select count(distinct user_id), count(*) from staging.stg_orders",
    )
    assert metrics["Customers"] == f"{users:,}"
    assert metrics["Orders"] == f"{orders:,}"
    ((lines, reordered),) = query(
        sample_warehouse,
        "select count(*), avg(reordered) from staging.stg_order_products where eval_set = 'prior'",
    )
    assert metrics["Prior order lines"] == f"{lines:,}"
    assert metrics["Reordered share of lines"] == f"{reordered:.1%}"


def test_segment_filter_narrows_the_tables(
    monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path
) -> None:
    app = run_page(monkeypatch, sample_warehouse, "segments", segment_filter=["Champions"])
    summary, users = (frame.value for frame in app.dataframe)
    assert summary["segment"].tolist() == ["Champions"]
    (champions,) = query(
        sample_warehouse,
        "select count(*) from analytics.mart_user_rfm where segment = 'Champions'",
    )[0]
    assert len(users) == min(champions, 200)
    assert set(users["segment"]) == {"Champions"}


def test_department_filter_narrows_the_products(
    monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path
) -> None:
    app = run_page(monkeypatch, sample_warehouse, "performance", department_filter="produce")
    products = app.dataframe[0].value
    assert len(products) > 0
    assert set(products["department_name"]) == {"produce"}


def test_missing_warehouse_says_run_make_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INSTACART_WAREHOUSE_PATH", str(tmp_path / "absent.duckdb"))
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert any("run `make build`" in item.value for item in app.info)
