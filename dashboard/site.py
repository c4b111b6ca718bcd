"""The dashboard's pages and their navigation (importable; `app.py` only runs it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from dashboard import warehouse
from dashboard.queries import PAGES, PageSpec
from dashboard.views import catalog, customers, models, planning

RENDERERS: dict[str, Callable[[PageSpec], None]] = {
    "overview": customers.overview,
    "segments": customers.segments,
    "retention": customers.retention,
    "churn": customers.churn,
    "timing": catalog.timing,
    "performance": catalog.performance,
    "affinity": catalog.affinity,
    "reorder-model": models.reorder_model,
    "clusters": models.clusters,
    "recommendations": models.recommendations,
    "experiments": planning.experiments,
    "forecast": planning.forecast,
}


def render_page(url_path: str) -> None:
    """Draw one page (title, then its renderer); AppTest tests call this directly."""
    spec = next(spec for spec in PAGES if spec.url_path == url_path)
    st.title(spec.title)
    RENDERERS[url_path](spec)


def _page(spec: PageSpec) -> st.Page:
    def render() -> None:
        render_page(spec.url_path)

    render.__name__ = spec.url_path.replace("-", "_")
    return st.Page(
        render, title=spec.title, url_path=spec.url_path, default=spec.url_path == "overview"
    )


def main() -> None:
    st.set_page_config(page_title="Instacart warehouse", layout="wide")
    path = warehouse.warehouse_path()
    if not warehouse.is_built():
        st.title("Instacart warehouse")
        st.info(f"No built warehouse at `{path}`: run `make build` first, then reload this page.")
        return
    version = warehouse.current_version()
    built_at = datetime.fromtimestamp(version.mtime_ns / 1e9, tz=UTC)
    st.sidebar.caption(f"Warehouse `{path}` (read-only), built {built_at:%Y-%m-%d %H:%M} UTC")
    st.navigation([_page(spec) for spec in PAGES]).run()
