"""Streamlit entry point: `streamlit run dashboard/app.py` (see `make dashboard`)."""

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.site import main

main()
