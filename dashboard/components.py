"""Building blocks shared by the pages: formatting, headline metrics, tables, missing states."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import warehouse
from dashboard.queries import Headline, PageSpec, bind

NOT_BUILT = "This part of the warehouse is not built yet: run `make build`."


def format_value(value: object, unit: str) -> str:
    """How a headline number is shown (the browser test formats SQL results the same way)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if unit == "count":
        return f"{round(float(value)):,}"
    if unit == "share":
        return f"{float(value):.1%}"
    if unit == "number":
        return f"{float(value):,.3f}"
    if unit == "days":
        return f"{float(value):,.1f} days"
    return str(value)


def page_schemas(spec: PageSpec, required: tuple[str, ...] | None = None) -> dict | None:
    """Table -> schema when every table the page (or a section) needs is built, else None.

    Shows the page title and, when tables are missing, an info box that says what to run.
    """
    schemas = warehouse.table_schemas()
    missing = [table for table in (required or spec.tables) if table not in schemas]
    if missing:
        st.info(f"{NOT_BUILT} Missing: {', '.join(missing)}.")
        return None
    return schemas


def query(sql: str, schemas: dict[str, str], parameters: tuple = ()) -> pd.DataFrame:
    return warehouse.run(bind(sql, schemas), parameters)


def headline_values(headlines: tuple[Headline, ...], schemas: dict[str, str]) -> list[str]:
    return [
        format_value(warehouse.scalar(bind(item.sql, schemas)), item.unit) for item in headlines
    ]


def show_headlines(headlines: tuple[Headline, ...], schemas: dict[str, str]) -> None:
    values = headline_values(headlines, schemas)
    for column, item, value in zip(st.columns(len(headlines)), headlines, values, strict=True):
        column.metric(item.label, value)


def show_table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> None:
    """A table with number formats per column ("%d", "%.1f%%" is not used: shares as percent)."""
    config: dict[str, st.column_config.Column] = {}
    for column, number_format in (formats or {}).items():
        if number_format == "percent":
            config[column] = st.column_config.NumberColumn(column, format="percent")
        else:
            config[column] = st.column_config.NumberColumn(column, format=number_format)
    st.dataframe(frame, column_config=config, hide_index=True, width="stretch")


def show_chart(chart: alt.Chart) -> None:
    st.altair_chart(chart, width="stretch")


def heat_map(frame: pd.DataFrame, x: alt.X, y: alt.Y, color: alt.Color, tooltip: list) -> alt.Chart:
    return alt.Chart(frame).mark_rect().encode(x=x, y=y, color=color, tooltip=tooltip)
