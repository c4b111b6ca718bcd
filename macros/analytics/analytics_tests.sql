{#- Generic tests used by the analytics marts and seeds. -#}

{#- A rule table with integer score ranges (<dim>_min/<dim>_max for each dimension) must
    partition the full grid of score combinations: every combination of levels 1..levels
    matches exactly one rule. Fails with one row per combination matched 0 or 2+ times. -#}
{% test rules_partition_score_grid(model, dimensions, levels=5) %}
    with
    {%- for dim in dimensions %}
    levels_{{ dim }} as (
        {{ integer_series(1, levels, dim ~ '_score') }}
    ),
    {%- endfor %}

    grid as (
        select
            {%- for dim in dimensions %}
            levels_{{ dim }}.{{ dim }}_score{{ ',' if not loop.last }}
            {%- endfor %}
        from levels_{{ dimensions[0] }}
        {%- for dim in dimensions[1:] %}
        cross join levels_{{ dim }}
        {%- endfor %}
    ),

    matches as (
        select
            {%- for dim in dimensions %}
            grid.{{ dim }}_score,
            {%- endfor %}
            count(rules.{{ dimensions[0] }}_min) as matching_rules
        from grid
        left join {{ model }} as rules
            on
            {%- for dim in dimensions %}
                grid.{{ dim }}_score between rules.{{ dim }}_min and rules.{{ dim }}_max
                {{- ' and' if not loop.last }}
            {%- endfor %}
        group by
            {%- for dim in dimensions %}
            grid.{{ dim }}_score{{ ',' if not loop.last }}
            {%- endfor %}
    )

    select
        {%- for dim in dimensions %}
        {{ dim }}_score,
        {%- endfor %}
        matching_rules
    from matches
    where matching_rules != 1
{% endtest %}

{#- The sum of `column_name` over the model equals the row count of `compare_model` (e.g. the
    segment sizes of a summary add up to the number of users). -#}
{% test sum_equals_row_count(model, column_name, compare_model) %}
    with
    this_sum as (select sum({{ column_name }}) as total from {{ model }}),
    other_count as (select count(*) as total from {{ compare_model }})
    select
        this_sum.total as column_sum,
        other_count.total as compare_rows
    from this_sum
    cross join other_count
    where coalesce(this_sum.total, 0) != other_count.total
{% endtest %}
