{#- Shared building blocks of the reorder feature marts (models/marts/features).

    Every feature is computed "as of" a target order: the user's final order (target_offset 0)
    or, for training-data augmentation, the user's last prior order (target_offset 1). The
    history of a target is every order of the same user with a smaller order_number, so a
    feature can never see the target order's own lines. `feature_history_condition` is the one
    place that rule is written; every feature model joins its history through it. -#}

{#- The target offsets to build: 0 always; 1 too unless var reorder_augment_prior_target is
    false. Returns a list of integers. -#}
{% macro feature_target_offsets() -%}
    {%- set augment = var('reorder_augment_prior_target', true) -%}
    {%- if augment is string -%}
        {%- set augment = augment | lower in ['true', '1', 'yes'] -%}
    {%- endif -%}
    {{- return([0, 1] if augment else [0]) -}}
{%- endmacro %}

{#- Join condition: rows of `history_relation` (any relation with user_id and order_number)
    that lie strictly before the target order of `targets_relation` (user_id,
    target_order_number). -#}
{% macro feature_history_condition(history_relation, targets_relation) -%}
    {{ history_relation }}.user_id = {{ targets_relation }}.user_id
    and {{ history_relation }}.order_number < {{ targets_relation }}.target_order_number
{%- endmacro %}

{#- Circular distance in hours (0-12) between two hours of day 0-23. -#}
{% macro hour_distance(hour_a, hour_b) -%}
    least(abs({{ hour_a }} - {{ hour_b }}), 24 - abs({{ hour_a }} - {{ hour_b }}))
{%- endmacro %}
