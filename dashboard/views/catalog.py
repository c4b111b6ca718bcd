"""Catalog pages: order timing, product/aisle/department performance, product affinity."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import components as ui
from dashboard import queries as q
from dashboard.queries import PageSpec

ALL_DEPARTMENTS = "All departments"


def timing(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    grid = ui.query(q.TIMING_GRID, schemas)
    st.subheader("Orders by day of week and hour")
    st.caption("Instacart publishes days as 0–6 without names; 0 and 1 are the busiest.")
    ui.show_chart(
        ui.heat_map(
            grid,
            x=alt.X("order_hour_of_day:O", title="Hour of day (0–23)"),
            y=alt.Y("order_dow:O", title="Day of week (0–6)"),
            color=alt.Color("order_count:Q", title="Orders (count)"),
            tooltip=[
                "order_dow",
                "order_hour_of_day",
                alt.Tooltip("order_count:Q", format=","),
                alt.Tooltip("order_share:Q", format=".2%"),
            ],
        )
    )
    st.subheader("Mean basket size by hour")
    ui.show_chart(
        alt.Chart(grid)
        .mark_line()
        .encode(
            x=alt.X("order_hour_of_day:Q", title="Hour of day (0–23)"),
            y=alt.Y(
                "mean_basket_size:Q", title="Mean basket size (lines)", scale=alt.Scale(zero=False)
            ),
            color=alt.Color("order_dow:N", title="Day of week"),
            tooltip=[
                "order_dow",
                "order_hour_of_day",
                alt.Tooltip("mean_basket_size:Q", format=".2f"),
            ],
        )
    )


def performance(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    names = ui.query(q.DEPARTMENT_NAMES, schemas)["department_name"].tolist()
    choice = st.selectbox("Department", [ALL_DEPARTMENTS, *names], key="department_filter")
    department = (None if choice == ALL_DEPARTMENTS else choice,)
    st.subheader("Departments: share of lines and reorder rate")
    departments = ui.query(q.DEPARTMENTS, schemas)
    ui.show_chart(
        alt.Chart(departments)
        .mark_bar()
        .encode(
            x=alt.X("line_share:Q", title="Share of all order lines", axis=alt.Axis(format="%")),
            y=alt.Y("department_name:N", title="Department", sort="-x"),
            color=alt.Color("reorder_rate:Q", title="Reorder rate", legend=alt.Legend(format="%")),
            tooltip=[
                "department_name",
                alt.Tooltip("line_count:Q", format=","),
                alt.Tooltip("line_share:Q", format=".1%"),
                alt.Tooltip("reorder_rate:Q", format=".1%"),
            ],
        )
    )
    st.subheader(f"Top aisles: {choice}")
    aisles = ui.query(q.AISLES, schemas, department)
    ui.show_chart(
        alt.Chart(aisles)
        .mark_bar()
        .encode(
            x=alt.X("line_count:Q", title="Order lines (count)"),
            y=alt.Y("aisle_name:N", title="Aisle", sort="-x", axis=alt.Axis(labelLimit=260)),
            color=alt.Color("reorder_rate:Q", title="Reorder rate", legend=alt.Legend(format="%")),
            tooltip=[
                "aisle_name",
                "department_name",
                alt.Tooltip("line_count:Q", format=","),
                alt.Tooltip("reorder_rate:Q", format=".1%"),
            ],
        )
    )
    st.subheader(f"Top products: {choice}")
    ui.show_table(
        ui.query(q.PRODUCTS, schemas, department),
        {
            "order_count": "%d",
            "user_count": "%d",
            "reorder_rate": "percent",
            "repeat_user_share": "percent",
            "order_share": "percent",
        },
    )


def affinity(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    search = st.text_input("Search a product (name contains)", key="pair_search").strip()
    pairs = ui.query(q.PRODUCT_PAIRS, schemas, (search,))
    st.subheader("Product pairs by lift" + (f" matching “{search}”" if search else ""))
    if pairs.empty:
        st.info("No product pair matches this search.")
    else:
        top = pairs.head(20).assign(
            pair=lambda f: f["product_a_name"] + " + " + f["product_b_name"]
        )
        ui.show_chart(
            alt.Chart(top)
            .mark_bar()
            .encode(
                x=alt.X("lift:Q", title="Lift (× chance of buying together)"),
                y=alt.Y("pair:N", title=None, sort="-x", axis=alt.Axis(labelLimit=400)),
                tooltip=[
                    "pair",
                    alt.Tooltip("lift:Q", format=".2f"),
                    alt.Tooltip("support:Q", format=".3%"),
                    alt.Tooltip("pair_order_count:Q", format=","),
                ],
            )
        )
        ui.show_table(
            pairs,
            {
                "lift": "%.2f",
                "support": "percent",
                "confidence_a_to_b": "percent",
                "confidence_b_to_a": "percent",
                "pair_order_count": "%d",
            },
        )
    st.subheader("Aisle pairs by lift (top 25)")
    ui.show_table(
        ui.query(q.AISLE_PAIRS, schemas),
        {"lift": "%.2f", "support": "percent", "confidence_a_to_b": "percent"},
    )
