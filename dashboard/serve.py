"""`python -m dashboard.serve [streamlit run options]`: `streamlit run dashboard/app.py` with the
app's libraries already imported when the first visitor arrives.

Streamlit imports an app's modules on its first script run, so the first page opened after a
start paid about 0.9 s of imports (altair, pandas, duckdb, polars, pyarrow) on top of its
queries: 2.1 s at scale 1, over the 2 s budget, while every later page took under 1 s. Only
third-party modules are imported here: the dashboard's own modules declare st.cache_data at
import time and must be imported inside the running app.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from streamlit.web import cli

APP = Path(__file__).resolve().parent / "app.py"
PRELOADED = ("altair", "duckdb", "numpy", "pandas", "polars", "pyarrow")


def main() -> None:
    for name in PRELOADED:
        importlib.import_module(name)
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
