"""Planning pages: experiment read-outs and the demand forecast."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import components as ui
from dashboard import queries as q
from dashboard.queries import PageSpec


def experiments(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec)) is None:
        return
    ui.show_headlines(spec.headlines, schemas)
    results = ui.query(q.EXPERIMENT_RESULTS, schemas)
    st.subheader("Estimated effects with 95% confidence intervals")
    base = alt.Chart(results).encode(
        y=alt.Y(
            "estimate_label:N",
            title="Experiment · outcome · analysis · segment",
            axis=alt.Axis(labelLimit=420),
        )
    )
    intervals = base.mark_rule().encode(
        x=alt.X("ci_low:Q", title="Estimated effect (outcome units, treatment − control)"),
        x2="ci_high:Q",
    )
    points = base.mark_point(filled=True, size=60).encode(
        x="estimate:Q",
        tooltip=[
            "experiment",
            "outcome",
            "analysis",
            "segment",
            alt.Tooltip("estimate:Q", format=".4f"),
            alt.Tooltip("ci_low:Q", format=".4f"),
            alt.Tooltip("ci_high:Q", format=".4f"),
            alt.Tooltip("n_treatment:Q", format=","),
            alt.Tooltip("n_control:Q", format=","),
        ],
    )
    ui.show_chart(intervals + points)
    ui.show_table(
        results.drop(columns=["estimate_label"]),
        {
            "estimate": "%.4f",
            "ci_low": "%.4f",
            "ci_high": "%.4f",
            "n_treatment": "%d",
            "n_control": "%d",
        },
    )


def forecast(spec: PageSpec) -> None:
    if (schemas := ui.page_schemas(spec, required=("mart_demand_forecast",))) is not None:
        ui.show_headlines(spec.headlines, schemas)
        levels = ui.query(q.FORECAST_LEVELS, schemas)["level"].tolist()
        level = st.selectbox("Forecast level", levels, key="forecast_level")
        top = ui.query(q.FORECAST_TOP, schemas, (level,))
        horizon = "" if top.empty else f" over the next {int(top['horizon_days'].iat[0])} days"
        st.subheader(f"Expected units by {level}{horizon} (top 20)")
        ui.show_chart(
            alt.Chart(top)
            .mark_bar()
            .encode(
                x=alt.X("expected_units:Q", title="Expected units (count)"),
                y=alt.Y("level_name:N", title=str(level), sort="-x"),
                tooltip=[
                    "level_name",
                    alt.Tooltip("expected_units:Q", format=",.0f"),
                    alt.Tooltip("expected_orders:Q", format=",.0f"),
                ],
            )
        )
        ui.show_table(top, {"expected_units": "%.1f", "expected_orders": "%.1f"})
    st.subheader("Order load profile (day of week × hour)")
    if (schemas := ui.page_schemas(spec, required=("mart_order_load_profile",))) is None:
        return
    load = ui.query(q.ORDER_LOAD, schemas)
    ui.show_chart(
        ui.heat_map(
            load,
            x=alt.X("order_hour_of_day:O", title="Hour of day (0–23)"),
            y=alt.Y("order_dow:O", title="Day of week (0–6)"),
            color=alt.Color(
                "share:Q", title="Share of weekly orders", legend=alt.Legend(format="%")
            ),
            tooltip=[
                "order_dow",
                "order_hour_of_day",
                alt.Tooltip("order_count:Q", format=","),
                alt.Tooltip("share:Q", format=".2%"),
                alt.Tooltip(
                    "seasonal_index:Q", title="Seasonal index (1 = average hour)", format=".2f"
                ),
            ],
        )
    )
