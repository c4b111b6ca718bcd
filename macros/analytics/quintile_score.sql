{#- Rank-based quintile score 1-5 of `expression` over all rows (optionally per partition).
    score = 1 + floor(5 * percent_rank()), capped at 5, where percent_rank = (rank - 1) / (n - 1)
    in the given order. Ties share one rank, so equal values always get the same score and the
    result does not depend on row order (unlike ntile, which splits ties arbitrarily). With
    heavy ties a score level can be empty. direction='asc': larger values score higher;
    'desc': smaller values score higher (e.g. recency in days). -#}
{% macro quintile_score(expression, direction='asc', partition_by=none) -%}
    least(
        5,
        1 + cast(floor(5 * percent_rank() over (
            {%- if partition_by is not none %}
            partition by {{ partition_by }}
            {%- endif %}
            order by {{ expression }} {{ direction }}
        )) as {{ dbt.type_int() }})
    )
{%- endmacro %}
