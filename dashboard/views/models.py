"""Model pages: the reorder model, customer clusters, recommendations."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import queries as q
from dashboard.queries import PageSpec


def reorder_model(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    left, right = st.columns(2)
    with left:
        st.subheader("Feature importance (top 20)")
        importance = ui.query(q.FEATURE_IMPORTANCE, schemas)
        ui.show_chart(
            alt.Chart(importance)
            .mark_bar()
            .encode(
                x=alt.X("gain_share:Q", title="Share of total gain", axis=alt.Axis(format="%")),
                y=alt.Y("feature:N", title="Feature", sort="-x", axis=alt.Axis(labelLimit=260)),
                tooltip=["feature", alt.Tooltip("gain_share:Q", format=".1%")],
            )
        )
    with right:
        st.subheader("Calibration (validation candidates)")
        calibration = ui.query(q.CALIBRATION, schemas)
        points = (
            alt.Chart(calibration)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "mean_predicted:Q",
                    title="Predicted probability",
                    scale=alt.Scale(domain=[0, 1]),
                ),
                y=alt.Y(
                    "observed_rate:Q", title="Observed reorder rate", scale=alt.Scale(domain=[0, 1])
                ),
                tooltip=[
                    alt.Tooltip("mean_predicted:Q", format=".3f"),
                    alt.Tooltip("observed_rate:Q", format=".3f"),
                    alt.Tooltip("candidates:Q", format=","),
                ],
            )
        )
        # The perfect-calibration diagonal: a reference line, not data.
        diagonal = (
            alt.Chart(pd.DataFrame({"p": [0.0, 1.0]}))
            .mark_line(strokeDash=[4, 4], color="gray")
            .encode(x="p:Q", y="p:Q")
        )
        ui.show_chart(diagonal + points)
    st.subheader("Metrics of the latest run")
    ui.show_table(ui.query(q.MODEL_METRICS, schemas), {"value": "%.4f"})
    st.subheader("One customer's predicted basket vs their history")
    users = ui.query(q.VALIDATION_USERS, schemas)["user_id"].tolist()
    if not users:
        st.info("No validation users in this warehouse.")
        return
    user_id = st.selectbox("Validation customer (first 500 by id)", users, key="reorder_user")
    ui.show_table(
        ui.query(q.USER_BASKET, schemas, (int(user_id),)),
        {"probability": "%.3f", "times_bought_before": "%d", "orders_since_last_purchase": "%d"},
    )


def clusters(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    profiles = ui.query(q.CLUSTER_PROFILES, schemas)
    left, right = st.columns(2)
    with left:
        st.subheader("Cluster sizes")
        ui.show_chart(
            alt.Chart(profiles)
            .mark_bar()
            .encode(
                x=alt.X("user_count:Q", title="Customers (count)"),
                y=alt.Y(
                    "persona_label:N",
                    title="Cluster persona",
                    sort="-x",
                    axis=alt.Axis(labelLimit=260),
                ),
                tooltip=[
                    "cluster_id",
                    "persona_label",
                    alt.Tooltip("user_count:Q", format=","),
                    alt.Tooltip("user_share:Q", format=".1%"),
                ],
            )
        )
    with right:
        st.subheader("2-D projection (sample of 5,000 customers)")
        projection = ui.query(q.CLUSTER_PROJECTION, schemas)
        ui.show_chart(
            alt.Chart(projection)
            .mark_circle(size=12, opacity=0.6)
            .encode(
                x=alt.X("pc1:Q", title="Principal component 1"),
                y=alt.Y("pc2:Q", title="Principal component 2"),
                color=alt.Color("persona_label:N", title="Cluster"),
                tooltip=["user_id", "persona_label", alt.Tooltip("confidence:Q", format=".2f")],
            )
        )
    st.subheader("Cluster profiles and campaign actions")
    ui.show_table(profiles, {"user_count": "%d", "user_share": "percent"})


def recommendations(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    low, high = ui.query(q.RECOMMENDATION_USERS, schemas).iloc[0].tolist()
    user_id = st.number_input(
        "Customer (user_id)", min_value=int(low), max_value=int(high), value=int(low), step=1
    )
    recommended = ui.query(q.USER_RECOMMENDATIONS, schemas, (int(user_id),))
    left, right = st.columns(2)
    with left:
        st.subheader(f"Next-basket recommendations for customer {int(user_id)}")
        if recommended.empty:
            st.info("No recommendations for this customer.")
        else:
            ui.show_chart(
                alt.Chart(recommended)
                .mark_bar()
                .encode(
                    x=alt.X("score:Q", title="Recommendation score"),
                    y=alt.Y(
                        "product_name:N",
                        title="Product",
                        sort=alt.SortField("rank"),
                        axis=alt.Axis(labelLimit=220),
                    ),
                    color=alt.Color("source:N", title="Source"),
                    tooltip=[
                        "rank",
                        "product_name",
                        "source",
                        alt.Tooltip("score:Q", format=".3f"),
                    ],
                )
            )
    with right:
        st.subheader("Recommendations by source (all customers)")
        ui.show_chart(
            alt.Chart(ui.query(q.RECOMMENDATION_SOURCES, schemas))
            .mark_bar()
            .encode(
                x=alt.X("recommendations:Q", title="Recommendations (count)"),
                y=alt.Y("source:N", title="Source", sort="-x"),
                tooltip=["source", alt.Tooltip("recommendations:Q", format=",")],
            )
        )
    ui.show_table(recommended, {"score": "%.3f"})
