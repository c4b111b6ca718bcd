"""Customer pages: overview, RFM segments, retention, churn risk."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import components as ui
from dashboard import queries as q
from dashboard.queries import PageSpec


def _segment_filter(schemas: dict[str, str]) -> tuple[str, ...]:
    names = ui.query(q.SEGMENT_NAMES, schemas)["segment"].tolist()
    chosen = st.multiselect("Segments (none = all)", names, key="segment_filter")
    return (list(chosen),)


def overview(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    left, right = st.columns(2)
    with left:
        st.subheader("Orders per customer")
        frame = ui.query(q.OVERVIEW_ORDERS_PER_USER, schemas)
        ui.show_chart(
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("orders_per_user:Q", title="Orders per customer (count)"),
                y=alt.Y("users:Q", title="Customers (count)"),
                tooltip=["orders_per_user", alt.Tooltip("users:Q", format=",")],
            )
        )
    with right:
        st.subheader("Basket size of prior orders")
        frame = ui.query(q.OVERVIEW_BASKET_SIZES, schemas)
        ui.show_chart(
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("basket_size:Q", title="Products per order (lines; 50 = 50 or more)"),
                y=alt.Y("orders:Q", title="Orders (count)"),
                tooltip=["basket_size", alt.Tooltip("orders:Q", format=",")],
            )
        )


def segments(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    chosen = _segment_filter(schemas)
    summary = ui.query(q.SEGMENT_SUMMARY, schemas, chosen)
    st.subheader("Segment sizes")
    ui.show_chart(
        alt.Chart(summary)
        .mark_bar()
        .encode(
            x=alt.X("user_count:Q", title="Customers (count)"),
            y=alt.Y("segment:N", title="RFM segment", sort="-x"),
            color=alt.Color("mean_recency_days:Q", title="Mean recency (days)"),
            tooltip=[
                "segment",
                alt.Tooltip("user_count:Q", format=","),
                alt.Tooltip("user_share:Q", format=".1%"),
                "campaign_action",
            ],
        )
    )
    st.subheader("Campaign actions")
    ui.show_table(
        summary,
        {
            "user_count": "%d",
            "user_share": "percent",
            "line_share": "percent",
            "mean_recency_days": "%.1f",
            "mean_frequency_orders": "%.1f",
            "mean_basket_size": "%.1f",
            "mean_reordered_share": "percent",
        },
    )
    st.subheader("Customers in the selected segments (top 200 by lines bought)")
    ui.show_table(ui.query(q.SEGMENT_USERS, schemas, chosen))


def retention(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    st.subheader("Order-number funnel")
    funnel = ui.query(q.RETENTION_FUNNEL, schemas)
    ui.show_chart(
        alt.Chart(funnel)
        .mark_line(point=False)
        .encode(
            x=alt.X("order_number:Q", title="Order number"),
            y=alt.Y(
                "cumulative_conversion:Q",
                title="Customers reaching it (share)",
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                "order_number",
                alt.Tooltip("users_reaching:Q", format=","),
                alt.Tooltip("cumulative_conversion:Q", format=".1%"),
            ],
        )
    )
    st.subheader("Cohort retention (life table on each customer's own clock)")
    st.caption(
        "Cohort = orders in a customer's first 30 days; retained = no 30+ day gap yet. "
        "Day buckets are 30 days since the first order."
    )
    cohorts = ui.query(q.RETENTION_COHORTS, schemas)
    ui.show_chart(
        ui.heat_map(
            cohorts,
            x=alt.X("day_bucket:O", title="30-day bucket since first order"),
            y=alt.Y(
                "cohort_label:N",
                title="Cohort",
                sort=alt.EncodingSortField("cohort_first_30d_orders"),
                axis=alt.Axis(labelLimit=260),
            ),
            color=alt.Color(
                "retention_rate:Q",
                title="Retained (share)",
                scale=alt.Scale(domain=[0, 1]),
                legend=alt.Legend(format="%"),
            ),
            tooltip=[
                "cohort_label",
                "bucket_start_day",
                alt.Tooltip("cohort_users:Q", format=","),
                alt.Tooltip("retention_rate:Q", format=".1%"),
            ],
        ).properties(height=220)
    )


def churn(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    chosen = _segment_filter(schemas)
    left, right = st.columns(2)
    with left:
        st.subheader("Risk bands by segment")
        by_segment = ui.query(q.CHURN_BY_SEGMENT, schemas, chosen)
        ui.show_chart(
            alt.Chart(by_segment)
            .mark_bar()
            .encode(
                x=alt.X("users:Q", title="Customers (count)"),
                y=alt.Y("segment:N", title="RFM segment"),
                color=alt.Color(
                    "churn_risk_band:N",
                    title="Risk band",
                    scale=alt.Scale(
                        domain=["low", "medium", "high"], range=["#4c78a8", "#f2cf5b", "#e45756"]
                    ),
                ),
                tooltip=["segment", "churn_risk_band", alt.Tooltip("users:Q", format=",")],
            )
        )
    with right:
        st.subheader("Churn risk score distribution")
        histogram = ui.query(q.CHURN_SCORE_HISTOGRAM, schemas, chosen)
        ui.show_chart(
            alt.Chart(histogram)
            .mark_bar()
            .encode(
                x=alt.X("score_bin_start:Q", title="Churn risk score (bins of 0.05)", bin="binned"),
                x2="score_bin_end:Q",
                y=alt.Y("users:Q", title="Customers (count)"),
                tooltip=["score_bin_start", alt.Tooltip("users:Q", format=",")],
            )
        )
    st.subheader("Highest-risk customers (top 100)")
    ui.show_table(
        ui.query(q.CHURN_TOP_USERS, schemas, chosen),
        {
            "churn_risk_score": "%.3f",
            "mean_gap_days_before_final": "%.1f",
            "p_next_gap_30plus": "percent",
        },
    )
