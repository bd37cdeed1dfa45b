{#- Generic data tests written as macros (no dbt packages: nothing is downloaded at run time). -#}

{#- Fails on every row of the model where `expression` is not true. Optional `where` filter
    (also available as the standard `config: where:`). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}


{#- Fails on rows where the column is outside [min_value, max_value] (nulls pass). -#}
{% test between(model, column_name, min_value, max_value) %}
select *
from {{ model }}
where {{ column_name }} is not null
    and ({{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }})
{% endtest %}


{#- Fails on combinations of the given columns that occur more than once. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}


{#- Fails when the model and `compare_model` have different row counts. -#}
{% test equal_row_count(model, compare_model) %}
select *
from (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_model }}) as compare_rows
) as counts
where model_rows <> compare_rows
{% endtest %}
