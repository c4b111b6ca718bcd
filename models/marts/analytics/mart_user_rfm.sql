-- RFM profile and named segment of every user. Recency = days between the user's last prior
-- order and their final order (days_since_prior_order of the final order, 30 = 30 or more),
-- frequency = orders including the final one, monetary proxy = lines over prior orders (the
-- data has no prices). Scores are rank-based quintiles (macro quintile_score): ties share a
-- score, so the result is deterministic. The segment comes from the rule table seed.
with

users as (
    select
        user_id,
        order_count,
        prior_order_count,
        prior_line_count,
        mean_basket_size,
        reordered_share,
        final_days_since_prior_order
    from {{ ref('dim_users') }}
),

segment_rules as (
    select
        rule_id,
        segment,
        priority,
        r_min,
        r_max,
        f_min,
        f_max,
        m_min,
        m_max
    from {{ ref('rfm_segment_rules') }}
),

segment_actions as (
    select
        segment,
        campaign_action
    from {{ ref('rfm_segment_actions') }}
),

measures as (
    select
        user_id,
        final_days_since_prior_order as recency_days,
        order_count as frequency_orders,
        prior_order_count,
        prior_line_count as monetary_total_lines,
        mean_basket_size as monetary_mean_basket_size,
        reordered_share
    from users
),

scored as (
    select
        user_id,
        recency_days,
        frequency_orders,
        prior_order_count,
        monetary_total_lines,
        monetary_mean_basket_size,
        reordered_share,
        {{ quintile_score('recency_days', 'desc') }} as r_score,
        {{ quintile_score('frequency_orders', 'asc') }} as f_score,
        {{ quintile_score('monetary_total_lines', 'asc') }} as m_score
    from measures
),

matched as (
    select
        scored.user_id,
        segment_rules.rule_id,
        segment_rules.segment,
        segment_rules.priority,
        row_number() over (
            partition by scored.user_id
            order by segment_rules.priority, segment_rules.rule_id
        ) as match_rank
    from scored
    inner join segment_rules
        on
            scored.r_score between segment_rules.r_min and segment_rules.r_max
            and scored.f_score between segment_rules.f_min and segment_rules.f_max
            and scored.m_score between segment_rules.m_min and segment_rules.m_max
),

final as (
    select
        scored.user_id,
        cast(scored.recency_days as {{ dbt.type_int() }}) as recency_days,
        scored.recency_days >= 30 as is_recency_capped,
        cast(scored.frequency_orders as {{ dbt.type_int() }}) as frequency_orders,
        cast(scored.prior_order_count as {{ dbt.type_int() }}) as prior_order_count,
        cast(scored.monetary_total_lines as {{ dbt.type_int() }}) as monetary_total_lines,
        cast(scored.monetary_mean_basket_size as {{ type_double() }})
            as monetary_mean_basket_size,
        cast(scored.reordered_share as {{ type_double() }}) as reordered_share,
        cast(scored.r_score as {{ dbt.type_int() }}) as r_score,
        cast(scored.f_score as {{ dbt.type_int() }}) as f_score,
        cast(scored.m_score as {{ dbt.type_int() }}) as m_score,
        cast(scored.r_score * 100 + scored.f_score * 10 + scored.m_score as {{ dbt.type_int() }})
            as rfm_cell,
        cast(matched.rule_id as {{ dbt.type_int() }}) as segment_rule_id,
        matched.segment,
        cast(matched.priority as {{ dbt.type_int() }}) as segment_priority,
        segment_actions.campaign_action
    from scored
    left join matched
        on
            scored.user_id = matched.user_id
            and matched.match_rank = 1
    left join segment_actions on matched.segment = segment_actions.segment
)

select
    user_id,
    recency_days,
    is_recency_capped,
    frequency_orders,
    prior_order_count,
    monetary_total_lines,
    monetary_mean_basket_size,
    reordered_share,
    r_score,
    f_score,
    m_score,
    rfm_cell,
    segment_rule_id,
    segment,
    segment_priority,
    campaign_action
from final
