"""Drive the running dashboard in Debian's chromium (playwright, no downloaded browser).

Used by the browser test, `make screenshots` and `python -m dashboard.timing`: start the app on
a free local port against a warehouse, open a page, wait until it is interactive (script done,
every chart drawn), read its headline numbers, save a screenshot.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboard.queries import PAGES, PageSpec

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1250}

# Interactive = the script finished, the page title is drawn and `charts` charts are rendered.
# Streamlit draws charts of more than 2,000 points on a canvas, the others as SVG.
CHART_SELECTOR = ".vega-embed svg, .vega-embed canvas"
_INTERACTIVE = (
    """([title, charts]) => {
    const CHART = '"""
    + CHART_SELECTOR
    + """';
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const heading = document.querySelector('h1');
    if (!heading || !heading.textContent.includes(title)) return false;
    // An error box ends the wait too: the caller reports it instead of timing out.
    if (document.querySelector('[data-testid="stException"]')) return true;
    return document.querySelectorAll(CHART).length >= charts;
}"""
)
_METRICS = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(m => [
    m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
    m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
])"""


@dataclass(frozen=True)
class PageVisit:
    """What one page showed: time to interactive, headline numbers, error boxes, charts."""

    url_path: str
    seconds_to_interactive: float
    metrics: dict[str, str]
    errors: list[str]
    charts: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(warehouse: Path, timeout_seconds: float = 60.0) -> Iterator[str]:
    """Run the app on a free local port against `warehouse`; yield its base URL."""
    port = free_port()
    env = {**os.environ, "INSTACART_WAREHOUSE_PATH": str(warehouse)}
    command = [
        sys.executable, "-m", "dashboard.serve",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(server, base_url, timeout_seconds)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_healthy(server: subprocess.Popen, base_url: str, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"dashboard not healthy at {base_url} after {timeout_seconds:.0f} s")


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} not found: run `make chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def visit(
    page: Page,
    base_url: str,
    spec: PageSpec,
    charts: int | None = None,
    screenshot: Path | None = None,
    timeout_seconds: float = 60.0,
) -> PageVisit:
    """Open one page, wait until it is interactive, read what it shows."""
    expected_charts = spec.charts if charts is None else charts
    started = time.perf_counter()
    # The navigation's first page is the default, served at "/" (its own path is a 404).
    page.goto(f"{base_url}/{'' if spec == PAGES[0] else spec.url_path}")
    try:
        page.wait_for_function(
            _INTERACTIVE, arg=[spec.title, expected_charts], timeout=timeout_seconds * 1000
        )
    except PlaywrightTimeoutError as timeout:
        shown = page.inner_text("body")[:2000]
        raise TimeoutError(f"{spec.url_path} not interactive; it shows:\n{shown}") from timeout
    seconds = time.perf_counter() - started
    errors = [
        element.inner_text()
        for element in page.query_selector_all(
            '[data-testid="stException"], [data-testid="stAlertContentError"]'
        )
    ]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return PageVisit(
        url_path=spec.url_path,
        seconds_to_interactive=seconds,
        metrics=dict(page.evaluate(_METRICS)),
        errors=errors,
        charts=len(page.query_selector_all(CHART_SELECTOR)),
    )


def built_tables(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("select table_name from information_schema.tables").fetchall()
    return {name for (name,) in rows}


def expected_charts(spec: PageSpec, tables: set[str]) -> int:
    """Charts a page draws: all of them when its tables are built, else none are awaited."""
    return spec.charts if set(spec.tables) <= tables else 0


def visit_all(
    warehouse: Path, screenshot_dir: Path | None = None, passes: int = 1
) -> list[list[PageVisit]]:
    """Serve the app on `warehouse` and open every page `passes` times (the first is cold)."""
    tables = built_tables(warehouse)
    with serve(warehouse) as base_url, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        return [
            [
                visit(
                    page,
                    base_url,
                    spec,
                    charts=expected_charts(spec, tables),
                    screenshot=None
                    if screenshot_dir is None or number > 0
                    else screenshot_dir / f"{spec.url_path}.png",
                )
                for spec in PAGES
            ]
            for number in range(passes)
        ]
