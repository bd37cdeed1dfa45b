{#- The project's generic data tests, written as macros (no dbt packages: nothing is downloaded
    at run time). Each fails on the rows it returns. -#}

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


{#- Fails on each group of `group_by` whose `column_name` does not sum to `total` within
    `tolerance` (for example: the credits of one opportunity in one attribution model). -#}
{% test sums_to(model, column_name, group_by, total=1, tolerance=0.000000001) %}
select {{ group_by | join(', ') }}, sum({{ column_name }}) as column_total
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
{% endtest %}


{#- Fails when the two models' totals of an expression differ by more than `tolerance` times
    the larger of 1 and the compared total (optionally each filtered by a where clause):
    nothing lost between a model and the one it summarises. -#}
{% test totals_match(model, expression, compare_model, compare_expression,
                     where_clause='1 = 1', compare_where_clause='1 = 1',
                     tolerance=0.000000001) %}
select *
from (
    select
        (select coalesce(sum({{ expression }}), 0) from {{ model }} where {{ where_clause }})
            as model_total,
        (select coalesce(sum({{ compare_expression }}), 0) from {{ compare_model }}
            where {{ compare_where_clause }}) as compare_total
) as totals
where abs(model_total - compare_total) > {{ tolerance }} * (
    case when abs(compare_total) > 1 then abs(compare_total) else 1 end
)
{% endtest %}


{#- Fails on rows of the model (optionally filtered by `where_clause`) whose `column_name`
    differs (null-safe) from `compare_column` of the row of `compare_model` with the same key,
    or that have no such row. -#}
{% test column_matches(model, column_name, key, compare_model, compare_key,
                       compare_column, where_clause='1 = 1') %}
select model_rows.{{ key }}, model_rows.{{ column_name }}, compare_rows.{{ compare_column }}
from (select * from {{ model }} where {{ where_clause }}) as model_rows
left join {{ compare_model }} as compare_rows
    on model_rows.{{ key }} = compare_rows.{{ compare_key }}
where compare_rows.{{ compare_key }} is null
    or not (
        (model_rows.{{ column_name }} is null and compare_rows.{{ compare_column }} is null)
        or coalesce(model_rows.{{ column_name }} = compare_rows.{{ compare_column }}, false)
    )
{% endtest %}


{#- Fails when the opportunities of `attributed_model` (distinct opportunity_id) and those of
    the model (the unattributed ones) do not add up to every row of `opportunities_model`:
    each opportunity is attributed or reported, never dropped. -#}
{% test every_opportunity_accounted(model, attributed_model, opportunities_model) %}
select *
from (
    select
        (select count(*) from {{ model }}) as unattributed,
        (select count(distinct opportunity_id) from {{ attributed_model }}) as attributed,
        (select count(*) from {{ opportunities_model }}) as opportunities
) as counts
where unattributed + attributed <> opportunities
{% endtest %}
