{#- Fails for every row where the SQL expression is not true (model-level test). -#}
{% test expression_is_true(model, expression) %}
    select 1 as failing_row
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}
