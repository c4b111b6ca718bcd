-- Churn risk of every user from their own gap history (days_since_prior_order, 30 = 30+).
-- A "long gap" is one recorded as 30 (30 days or more). Method, per user:
-- 1. p_next_gap_30plus: empirical-Bayes (beta-binomial) estimate of the probability that the
--    next gap is long: (long gaps + k * m) / (gaps + k), where the Beta prior's mean m and
--    strength k are fitted by the method of moments across users (between-user variance of the
--    long-gap share after removing binomial noise), k clamped to [1, 200].
-- 2. final_gap_zscore: how unusual the last observed gap (before the final order) is versus the
--    user's earlier gaps: (final gap - mean) / greatest(std, min_std).
-- 3. churn_risk_score = p + (1 - p) * clamp((z - 1) / 3, 0, 1): the probability, raised toward
--    1 when the last gap exceeds the user's usual gap by more than one standard deviation
--    (fully at four).
-- Backtest columns repeat step 1 on the gaps before the final order only, to check calibration
-- against the observed final gap (final_gap_is_long).
with

orders as (
    select
        user_id,
        order_number,
        days_since_prior_order,
        is_final_order
    from {{ ref('fct_orders') }}
),

gaps as (
    select
        user_id,
        days_since_prior_order as gap_days,
        case when days_since_prior_order >= 30 then 1 else 0 end as is_long,
        is_final_order
    from orders
    where days_since_prior_order is not null
),

user_gaps as (
    select
        user_id,
        count(*) as gap_count,
        sum(is_long) as long_gap_count,
        sum(case when is_final_order then 0 else 1 end) as gap_count_before_final,
        sum(case when is_final_order then 0 else is_long end) as long_gap_count_before_final,
        avg(case when is_final_order then null else gap_days end) as mean_gap_days_before_final,
        stddev_samp(case when is_final_order then null else gap_days end)
            as std_gap_days_before_final,
        max(case when is_final_order then gap_days end) as final_gap_days
    from gaps
    group by user_id
),

user_rates as (
    select
        user_id,
        gap_count,
        long_gap_count,
        gap_count_before_final,
        long_gap_count_before_final,
        {{ safe_divide('long_gap_count', 'gap_count') }} as long_gap_share,
        {{ safe_divide('long_gap_count_before_final', 'gap_count_before_final') }}
            as long_gap_share_before_final
    from user_gaps
),

-- Method-of-moments Beta prior: between-user variance = variance of the observed shares minus
-- the mean binomial sampling variance m (1 - m) / n.
moments as (
    select
        avg(long_gap_share) as mean_share,
        var_samp(long_gap_share) as var_share,
        avg({{ safe_divide('1', 'gap_count') }}) as mean_inverse_gaps,
        avg(long_gap_share_before_final) as mean_share_before_final,
        var_samp(long_gap_share_before_final) as var_share_before_final,
        avg({{ safe_divide('1', 'gap_count_before_final') }}) as mean_inverse_gaps_before_final
    from user_rates
),

between_variance as (
    select
        mean_share,
        var_share - mean_share * (1 - mean_share) * mean_inverse_gaps as between_var,
        mean_share_before_final,
        var_share_before_final - (
            mean_share_before_final
            * (1 - mean_share_before_final)
            * mean_inverse_gaps_before_final
        ) as between_var_before_final
    from moments
),

-- Beta strength k = m (1 - m) / between_var - 1, clamped to [1, 200]; 200 (strong pooling)
-- when the data show no between-user variance.
raw_prior as (
    select
        mean_share as prior_mean,
        case
            when between_var > 0 then mean_share * (1 - mean_share) / between_var - 1
            else 200.0
        end as raw_strength,
        mean_share_before_final as prior_mean_before_final,
        case
            when between_var_before_final > 0
                then
                    mean_share_before_final * (1 - mean_share_before_final)
                    / between_var_before_final - 1
            else 200.0
        end as raw_strength_before_final
    from between_variance
),

beta_prior as (
    select
        prior_mean,
        least(200.0, greatest(1.0, raw_strength)) as prior_strength,
        prior_mean_before_final,
        least(200.0, greatest(1.0, raw_strength_before_final)) as prior_strength_before_final
    from raw_prior
),

estimates as (
    select
        user_gaps.user_id,
        user_gaps.gap_count,
        user_gaps.long_gap_count,
        user_rates.long_gap_share,
        user_gaps.mean_gap_days_before_final,
        user_gaps.std_gap_days_before_final,
        user_gaps.final_gap_days,
        beta_prior.prior_mean,
        beta_prior.prior_strength,
        (user_gaps.long_gap_count + beta_prior.prior_strength * beta_prior.prior_mean)
        / (user_gaps.gap_count + beta_prior.prior_strength) as p_next_gap_30plus,
        (
            user_gaps.long_gap_count_before_final
            + beta_prior.prior_strength_before_final * beta_prior.prior_mean_before_final
        )
        / (user_gaps.gap_count_before_final + beta_prior.prior_strength_before_final)
            as backtest_p_final_gap_30plus,
        (user_gaps.final_gap_days - user_gaps.mean_gap_days_before_final)
        / greatest(
            coalesce(user_gaps.std_gap_days_before_final, 0),
            {{ var('churn_min_gap_std_days') }}
        ) as final_gap_zscore
    from user_gaps
    inner join user_rates on user_gaps.user_id = user_rates.user_id
    cross join beta_prior
),

scored as (
    select
        user_id,
        gap_count,
        long_gap_count,
        long_gap_share,
        mean_gap_days_before_final,
        std_gap_days_before_final,
        final_gap_days,
        final_gap_zscore,
        prior_mean,
        prior_strength,
        p_next_gap_30plus,
        backtest_p_final_gap_30plus,
        p_next_gap_30plus
        + (1 - p_next_gap_30plus)
        * least(1.0, greatest(0.0, (coalesce(final_gap_zscore, 0) - 1) / 3.0)) as churn_risk_score
    from estimates
),

final as (
    select
        user_id,
        cast(gap_count as {{ dbt.type_int() }}) as gap_count,
        cast(long_gap_count as {{ dbt.type_int() }}) as long_gap_count,
        cast(long_gap_share as {{ type_double() }}) as long_gap_share,
        cast(mean_gap_days_before_final as {{ type_double() }}) as mean_gap_days_before_final,
        cast(std_gap_days_before_final as {{ type_double() }}) as std_gap_days_before_final,
        cast(final_gap_days as {{ dbt.type_int() }}) as final_gap_days,
        final_gap_days >= 30 as final_gap_is_long,
        cast(final_gap_zscore as {{ type_double() }}) as final_gap_zscore,
        cast(prior_mean as {{ type_double() }}) as prior_mean,
        cast(prior_strength as {{ type_double() }}) as prior_strength,
        cast(p_next_gap_30plus as {{ type_double() }}) as p_next_gap_30plus,
        cast(churn_risk_score as {{ type_double() }}) as churn_risk_score,
        case
            when churn_risk_score >= {{ var('churn_high_risk_threshold') }} then 'high'
            when churn_risk_score >= {{ var('churn_medium_risk_threshold') }} then 'medium'
            else 'low'
        end as churn_risk_band,
        cast(backtest_p_final_gap_30plus as {{ type_double() }}) as backtest_p_final_gap_30plus
    from scored
)

select
    user_id,
    gap_count,
    long_gap_count,
    long_gap_share,
    mean_gap_days_before_final,
    std_gap_days_before_final,
    final_gap_days,
    final_gap_is_long,
    final_gap_zscore,
    prior_mean,
    prior_strength,
    p_next_gap_30plus,
    churn_risk_score,
    churn_risk_band,
    backtest_p_final_gap_30plus
from final
