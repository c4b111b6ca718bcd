-- One row per RFM segment of the action seed (empty segments included, with 0 users): size,
-- share of users, behaviour profile and the campaign action.
with

user_rfm as (
    select
        user_id,
        recency_days,
        is_recency_capped,
        frequency_orders,
        monetary_total_lines,
        monetary_mean_basket_size,
        reordered_share,
        r_score,
        f_score,
        m_score,
        segment
    from {{ ref('mart_user_rfm') }}
),

segment_actions as (
    select
        segment,
        priority,
        campaign_action,
        action_description
    from {{ ref('rfm_segment_actions') }}
),

segment_profiles as (
    select
        segment,
        count(*) as user_count,
        avg(recency_days) as mean_recency_days,
        {{ share_where("is_recency_capped") }} as recency_capped_share,
        avg(frequency_orders) as mean_frequency_orders,
        avg(monetary_mean_basket_size) as mean_basket_size,
        avg(monetary_total_lines) as mean_total_lines,
        sum(monetary_total_lines) as total_lines,
        avg(reordered_share) as mean_reordered_share,
        avg(r_score) as mean_r_score,
        avg(f_score) as mean_f_score,
        avg(m_score) as mean_m_score
    from user_rfm
    group by segment
),

totals as (
    select
        count(*) as all_users,
        sum(monetary_total_lines) as all_lines
    from user_rfm
),

final as (
    select
        segment_actions.segment,
        segment_actions.priority as segment_priority,
        cast(coalesce(segment_profiles.user_count, 0) as {{ dbt.type_int() }}) as user_count,
        coalesce(
            {{ safe_divide('segment_profiles.user_count', 'totals.all_users') }}, 0
        ) as user_share,
        coalesce(
            {{ safe_divide('segment_profiles.total_lines', 'totals.all_lines') }}, 0
        ) as line_share,
        cast(segment_profiles.mean_recency_days as {{ type_double() }}) as mean_recency_days,
        cast(segment_profiles.recency_capped_share as {{ type_double() }})
            as recency_capped_share,
        cast(segment_profiles.mean_frequency_orders as {{ type_double() }})
            as mean_frequency_orders,
        cast(segment_profiles.mean_basket_size as {{ type_double() }}) as mean_basket_size,
        cast(segment_profiles.mean_total_lines as {{ type_double() }}) as mean_total_lines,
        cast(segment_profiles.mean_reordered_share as {{ type_double() }})
            as mean_reordered_share,
        cast(segment_profiles.mean_r_score as {{ type_double() }}) as mean_r_score,
        cast(segment_profiles.mean_f_score as {{ type_double() }}) as mean_f_score,
        cast(segment_profiles.mean_m_score as {{ type_double() }}) as mean_m_score,
        segment_actions.campaign_action,
        segment_actions.action_description
    from segment_actions
    cross join totals
    left join segment_profiles on segment_actions.segment = segment_profiles.segment
)

select
    segment,
    segment_priority,
    user_count,
    user_share,
    line_share,
    mean_recency_days,
    recency_capped_share,
    mean_frequency_orders,
    mean_basket_size,
    mean_total_lines,
    mean_reordered_share,
    mean_r_score,
    mean_f_score,
    mean_m_score,
    campaign_action,
    action_description
from final
