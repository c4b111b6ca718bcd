"""Every SQL query the dashboard runs, and what each page needs and headlines.

Tables are written as `{table_name}` placeholders and bound to `schema.table_name` by looking
the name up in information_schema (`bind`), so a page works wherever its mart is built and
tests can run exactly the SQL a page shows. Filters are DuckDB parameters (`$1`).
Every number on a page is the result of one of these queries on a mart: no pandas arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Headline:
    """One headline number (an `st.metric`): its label, its SQL and how it is formatted."""

    label: str
    sql: str
    unit: str  # "count" | "share" | "number" | "days" | "text"


@dataclass(frozen=True)
class PageSpec:
    """A dashboard page: its URL, title, the tables it needs and its headline numbers."""

    url_path: str
    title: str
    tables: tuple[str, ...]
    headlines: tuple[Headline, ...]
    charts: int  # charts shown in the page's default (unfiltered) state


def tables_in(sql: str) -> set[str]:
    return set(_PLACEHOLDER.findall(sql))


def bind(sql: str, schemas: dict[str, str]) -> str:
    """Replace each `{table}` with `schema.table` (KeyError when a table is not built)."""
    return _PLACEHOLDER.sub(lambda match: f"{schemas[match.group(1)]}.{match.group(1)}", sql)


# --- overview --------------------------------------------------------------------------------
OVERVIEW_HEADLINES = (
    Headline("Customers", "select count(*) from {dim_users}", "count"),
    Headline("Orders", "select count(*) from {fct_orders}", "count"),
    Headline(
        "Prior order lines",
        "select sum(basket_size) from {fct_orders} where eval_set = 'prior'",
        "count",
    ),
    Headline(
        "Mean basket size",
        "select avg(basket_size) from {fct_orders} where eval_set = 'prior'",
        "number",
    ),
    Headline(
        "Reordered share of lines",
        "select sum(reordered_lines) / sum(basket_size) from {fct_orders} where eval_set = 'prior'",
        "share",
    ),
    Headline("Products sold", "select count(*) from {mart_product_performance}", "count"),
)
OVERVIEW_ORDERS_PER_USER = """
select least(order_count, 100) as orders_per_user, count(*) as users
from {dim_users}
group by 1
order by 1
"""
OVERVIEW_BASKET_SIZES = """
select least(basket_size, 50) as basket_size, count(*) as orders
from {fct_orders}
where eval_set = 'prior'
group by 1
order by 1
"""

# --- RFM segments ----------------------------------------------------------------------------
SEGMENT_HEADLINES = (
    Headline("Segments", "select count(*) from {mart_rfm_segment_summary}", "count"),
    Headline(
        "Customers segmented", "select sum(user_count) from {mart_rfm_segment_summary}", "count"
    ),
    Headline(
        "Largest segment",
        "select segment from {mart_rfm_segment_summary} "
        "order by user_count desc, segment_priority limit 1",
        "text",
    ),
    Headline(
        "Champions' share of lines",
        "select coalesce(sum(line_share), 0) from {mart_rfm_segment_summary} "
        "where segment = 'Champions'",
        "share",
    ),
)
SEGMENT_NAMES = "select segment from {mart_rfm_segment_summary} order by segment_priority"
SEGMENT_SUMMARY = """
select
    segment, user_count, user_share, line_share, mean_recency_days, mean_frequency_orders,
    mean_basket_size, mean_reordered_share, campaign_action, action_description
from {mart_rfm_segment_summary}
where len($1::varchar[]) = 0 or list_contains($1::varchar[], segment)
order by segment_priority
"""
SEGMENT_USERS = """
select
    user_id, segment, r_score, f_score, m_score, recency_days, frequency_orders,
    monetary_total_lines, campaign_action
from {mart_user_rfm}
where len($1::varchar[]) = 0 or list_contains($1::varchar[], segment)
order by monetary_total_lines desc, user_id
limit 200
"""

# --- retention -------------------------------------------------------------------------------
RETENTION_HEADLINES = tuple(
    Headline(
        f"Customers reaching order {n}",
        f"select cumulative_conversion from {{mart_retention_funnel}} where order_number = {n}",
        "share",
    )
    for n in (5, 10, 20, 50)
)
RETENTION_FUNNEL = """
select order_number, users_reaching, cumulative_conversion, step_conversion, stop_rate
from {mart_retention_funnel}
order by order_number
"""
RETENTION_COHORTS = """
select
    cohort_first_30d_orders, cohort_label, day_bucket, bucket_start_day, cohort_users,
    users_at_risk, retention_rate
from {mart_retention_cohorts}
where day_bucket <= 12
order by cohort_first_30d_orders, day_bucket
"""

# --- churn risk ------------------------------------------------------------------------------
CHURN_HEADLINES = (
    Headline(
        "High-risk customers",
        "select count(*) from {mart_user_churn_risk} where churn_risk_band = 'high'",
        "count",
    ),
    Headline(
        "High-risk share",
        "select avg(case when churn_risk_band = 'high' then 1.0 else 0.0 end) "
        "from {mart_user_churn_risk}",
        "share",
    ),
    Headline(
        "Mean churn risk score",
        "select avg(churn_risk_score) from {mart_user_churn_risk}",
        "number",
    ),
)
CHURN_BY_SEGMENT = """
select r.segment, c.churn_risk_band, count(*) as users, avg(c.churn_risk_score) as mean_score
from {mart_user_churn_risk} as c
inner join {mart_user_rfm} as r on c.user_id = r.user_id
where len($1::varchar[]) = 0 or list_contains($1::varchar[], r.segment)
group by 1, 2
order by 1, 2
"""
CHURN_SCORE_HISTOGRAM = """
select
    least(floor(c.churn_risk_score * 20), 19) / 20 as score_bin_start,
    least(floor(c.churn_risk_score * 20), 19) / 20 + 0.05 as score_bin_end,
    count(*) as users
from {mart_user_churn_risk} as c
inner join {mart_user_rfm} as r on c.user_id = r.user_id
where len($1::varchar[]) = 0 or list_contains($1::varchar[], r.segment)
group by 1, 2
order by 1
"""
CHURN_TOP_USERS = """
select
    c.user_id, r.segment, c.churn_risk_score, c.churn_risk_band, c.final_gap_days,
    c.mean_gap_days_before_final, c.p_next_gap_30plus, r.campaign_action
from {mart_user_churn_risk} as c
inner join {mart_user_rfm} as r on c.user_id = r.user_id
where len($1::varchar[]) = 0 or list_contains($1::varchar[], r.segment)
order by c.churn_risk_score desc, c.user_id
limit 100
"""

# --- order timing ----------------------------------------------------------------------------
TIMING_HEADLINES = (
    Headline("Orders", "select sum(order_count) from {mart_order_timing}", "count"),
    Headline(
        "Busiest day",
        "select 'day ' || order_dow from {mart_order_timing} "
        "group by order_dow order by sum(order_count) desc, order_dow limit 1",
        "text",
    ),
    Headline(
        "Busiest hour",
        "select lpad(order_hour_of_day::varchar, 2, '0') || ':00' from {mart_order_timing} "
        "group by order_hour_of_day order by sum(order_count) desc, order_hour_of_day limit 1",
        "text",
    ),
)
TIMING_GRID = """
select order_dow, order_hour_of_day, order_count, order_share, mean_basket_size, reordered_share
from {mart_order_timing}
order by order_dow, order_hour_of_day
"""

# --- product, aisle, department performance -------------------------------------------------
PERFORMANCE_HEADLINES = (
    Headline("Departments", "select count(*) from {mart_department_performance}", "count"),
    Headline("Aisles", "select count(*) from {mart_aisle_performance}", "count"),
    Headline("Products sold", "select count(*) from {mart_product_performance}", "count"),
    Headline(
        "Top product",
        "select product_name from {mart_product_performance} "
        "order by overall_rank, product_id limit 1",
        "text",
    ),
)
DEPARTMENT_NAMES = "select department_name from {mart_department_performance} order by 1"
DEPARTMENTS = """
select
    department_name, line_count, line_share, reorder_rate, order_penetration,
    mean_lines_per_order, product_count
from {mart_department_performance}
order by line_count desc, department_name
"""
AISLES = """
select aisle_name, department_name, line_count, line_share, reorder_rate, order_penetration
from {mart_aisle_performance}
where $1::varchar is null or department_name = $1::varchar
order by line_count desc, aisle_name
limit 25
"""
PRODUCTS = """
select
    product_name, aisle_name, department_name, order_count, user_count, reorder_rate,
    repeat_user_share, order_share
from {mart_product_performance}
where $1::varchar is null or department_name = $1::varchar
order by order_count desc, product_id
limit 50
"""

# --- product affinity ------------------------------------------------------------------------
AFFINITY_HEADLINES = (
    Headline("Product pairs", "select count(*) from {mart_product_pairs}", "count"),
    Headline("Highest lift", "select max(lift) from {mart_product_pairs}", "number"),
    Headline("Aisle pairs", "select count(*) from {mart_aisle_pairs}", "count"),
)
PRODUCT_PAIRS = """
select
    product_a_name, product_b_name, lift, support, confidence_a_to_b, confidence_b_to_a,
    pair_order_count
from {mart_product_pairs}
where $1::varchar = ''
    or contains(lower(product_a_name), lower($1::varchar))
    or contains(lower(product_b_name), lower($1::varchar))
order by lift desc, pair_order_count desc, product_a_id, product_b_id
limit 100
"""
AISLE_PAIRS = """
select aisle_a_name, aisle_b_name, lift, support, confidence_a_to_b, pair_order_count
from {mart_aisle_pairs}
order by lift desc, pair_order_count desc, aisle_a_id, aisle_b_id
limit 25
"""

# --- reorder model ---------------------------------------------------------------------------
_LATEST_RUN = "(select max(run_id) from {ml_model_metrics} where model = 'reorder_lgbm')"
REORDER_HEADLINES = tuple(
    Headline(
        label,
        f"select value from {{ml_model_metrics}} where run_id = {_LATEST_RUN} "
        f"and model = 'reorder_lgbm' and split = 'validation' and metric = '{metric}'",
        "number",
    )
    for label, metric in (
        ("ROC-AUC (validation)", "roc_auc"),
        ("PR-AUC (validation)", "pr_auc"),
        ("Mean F1 per order (validation)", "mean_f1"),
    )
)
MODEL_METRICS = f"""
select model, split, metric, value
from {{ml_model_metrics}}
where run_id = {_LATEST_RUN}
order by model, split, metric
"""
FEATURE_IMPORTANCE = """
select feature, gain_share, mean_abs_contribution
from {ml_reorder_feature_importance}
where run_id = (select max(run_id) from {ml_reorder_feature_importance})
order by gain_share desc, feature
limit 20
"""
CALIBRATION = """
select
    least(floor(probability * 10), 9) / 10 as bin_start,
    avg(probability) as mean_predicted,
    avg(label) as observed_rate,
    count(*) as candidates
from {ml_reorder_predictions}
where split = 'validation'
group by 1
order by 1
"""
# The first 500 only: a selectbox with every validation user (26k at scale 1) is slow to draw.
VALIDATION_USERS = """
select user_id from {ml_reorder_baskets} where split = 'validation' order by 1 limit 500
"""
USER_BASKET = """
select
    p.product_name, pr.probability,
    list_contains(b.products, pr.product_id) as in_predicted_basket,
    pr.label = 1 as reordered_in_final, h.up_times_bought as times_bought_before,
    h.up_orders_since_last_purchase as orders_since_last_purchase
from {ml_reorder_predictions} as pr
inner join {ml_reorder_baskets} as b on pr.order_id = b.order_id
inner join {dim_products} as p on pr.product_id = p.product_id
left join {feat_user_product} as h
    on pr.user_id = h.user_id and pr.product_id = h.product_id and h.target_offset = 0
where pr.user_id = $1 and pr.split = 'validation'
order by pr.probability desc, pr.product_id
"""

# --- clusters --------------------------------------------------------------------------------
CLUSTER_HEADLINES = (
    Headline("Clusters", "select count(*) from {ml_cluster_profiles}", "count"),
    Headline("Customers clustered", "select count(*) from {ml_user_clusters}", "count"),
    Headline(
        "Largest cluster",
        "select persona_label from {ml_cluster_profiles} "
        "order by user_count desc, cluster_id limit 1",
        "text",
    ),
)
CLUSTER_PROFILES = """
select cluster_id, persona_label, user_count, user_share, campaign_action, top_aisles
from {ml_cluster_profiles}
order by cluster_id
"""
# A deterministic sample keeps the scatter light at scale 1.
CLUSTER_PROJECTION = """
select c.user_id, c.cluster_id, p.persona_label, c.pc1, c.pc2, c.confidence
from {ml_user_clusters} as c
inner join {ml_cluster_profiles} as p on c.cluster_id = p.cluster_id
order by hash(c.user_id), c.user_id
limit 5000
"""

# --- recommendations -------------------------------------------------------------------------
RECOMMENDATION_HEADLINES = (
    Headline(
        "Customers with recommendations",
        "select count(distinct user_id) from {ml_user_recommendations}",
        "count",
    ),
    Headline(
        "Recommendations per customer",
        "select count(*) / count(distinct user_id) from {ml_user_recommendations}",
        "number",
    ),
)
RECOMMENDATION_USERS = "select min(user_id), max(user_id) from {ml_user_recommendations}"
USER_RECOMMENDATIONS = """
select r.rank, p.product_name, p.aisle_name, p.department_name, r.score, r.source
from {ml_user_recommendations} as r
inner join {dim_products} as p on r.product_id = p.product_id
where r.user_id = $1
order by r.rank
"""
RECOMMENDATION_SOURCES = """
select source, count(*) as recommendations
from {ml_user_recommendations}
group by 1
order by 2 desc, 1
"""

# --- experiments -----------------------------------------------------------------------------
EXPERIMENT_HEADLINES = (
    Headline(
        "Experiments", "select count(distinct experiment) from {ml_experiment_results}", "count"
    ),
    Headline("Estimates", "select count(*) from {ml_experiment_results}", "count"),
)
EXPERIMENT_RESULTS = """
select
    experiment, outcome, analysis, segment, estimate, ci_low, ci_high, n_treatment, n_control,
    experiment || ' · ' || outcome || ' · ' || analysis || ' · ' || coalesce(segment, 'all')
        as estimate_label
from {ml_experiment_results}
order by experiment, outcome, analysis, segment
"""

# --- demand forecast -------------------------------------------------------------------------
FORECAST_HEADLINES = (
    Headline(
        "Forecast levels", "select count(distinct level) from {mart_demand_forecast}", "count"
    ),
    Headline(
        "Longest horizon (days)", "select max(horizon_days) from {mart_demand_forecast}", "count"
    ),
)
FORECAST_LEVELS = "select distinct level from {mart_demand_forecast} order by 1"
FORECAST_TOP = """
select level_name, horizon_days, expected_units, expected_orders
from {mart_demand_forecast}
where level = $1 and horizon_days = (
    select max(horizon_days) from {mart_demand_forecast} where level = $1
)
order by expected_units desc, level_name
limit 20
"""
ORDER_LOAD = """
select order_dow, order_hour_of_day, order_count, order_share as share, seasonal_index
from {mart_order_load_profile}
order by order_dow, order_hour_of_day
"""

_CORE = ("dim_users", "fct_orders")
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", (*_CORE, "mart_product_performance"), OVERVIEW_HEADLINES, 2),
    PageSpec(
        "segments",
        "RFM segments",
        ("mart_rfm_segment_summary", "mart_user_rfm"),
        SEGMENT_HEADLINES,
        1,
    ),
    PageSpec(
        "retention",
        "Retention",
        ("mart_retention_funnel", "mart_retention_cohorts"),
        RETENTION_HEADLINES,
        2,
    ),
    PageSpec("churn", "Churn risk", ("mart_user_churn_risk", "mart_user_rfm"), CHURN_HEADLINES, 2),
    PageSpec("timing", "Order timing", ("mart_order_timing",), TIMING_HEADLINES, 2),
    PageSpec(
        "performance",
        "Products, aisles, departments",
        ("mart_department_performance", "mart_aisle_performance", "mart_product_performance"),
        PERFORMANCE_HEADLINES,
        2,
    ),
    PageSpec(
        "affinity",
        "Product affinity",
        ("mart_product_pairs", "mart_aisle_pairs"),
        AFFINITY_HEADLINES,
        1,
    ),
    PageSpec(
        "reorder-model",
        "Reorder model",
        (
            "ml_model_metrics",
            "ml_reorder_feature_importance",
            "ml_reorder_predictions",
            "ml_reorder_baskets",
            "dim_products",
            "feat_user_product",
        ),
        REORDER_HEADLINES,
        2,
    ),
    PageSpec(
        "clusters",
        "Customer clusters",
        ("ml_user_clusters", "ml_cluster_profiles"),
        CLUSTER_HEADLINES,
        2,
    ),
    PageSpec(
        "recommendations",
        "Recommendations",
        ("ml_user_recommendations", "dim_products"),
        RECOMMENDATION_HEADLINES,
        2,
    ),
    PageSpec("experiments", "Experiments", ("ml_experiment_results",), EXPERIMENT_HEADLINES, 1),
    PageSpec(
        "forecast",
        "Demand forecast",
        ("mart_demand_forecast", "mart_order_load_profile"),
        FORECAST_HEADLINES,
        2,
    ),
)
