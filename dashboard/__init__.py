"""Streamlit dashboard over the warehouse (read-only): one page per question."""
