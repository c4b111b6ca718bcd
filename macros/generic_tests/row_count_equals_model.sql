{#- Fails when the model's row count differs from another model's (optionally filtered). -#}
{% test row_count_equals_model(model, compare_model, compare_where="1 = 1") %}
    with
    this_count as (select count(*) as n from {{ model }}),
    other_count as (select count(*) as n from {{ compare_model }} where {{ compare_where }})
    select
        this_count.n as model_rows,
        other_count.n as compare_rows
    from this_count
    cross join other_count
    where this_count.n != other_count.n
{% endtest %}
