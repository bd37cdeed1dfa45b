{#- Pipeline analytics (models/marts/pipeline): date series and the incremental daily mart. -#}


{#- A select of one row per day (column `metric_date`, a date) from date `start_day` to date
    `end_day`, both included, for every row of `relation` (a CTE holding the bounds). -#}
{% macro day_series(relation, start_day, end_day) -%}
    {{ return(adapter.dispatch('day_series', 'funnel')(relation, start_day, end_day)) }}
{%- endmacro %}

{% macro default__day_series(relation, start_day, end_day) -%}
    select cast(unnest(generate_series(cast({{ start_day }} as date), cast({{ end_day }} as date),
        interval 1 day)) as date) as metric_date
    from {{ relation }}
{%- endmacro %}

{% macro spark__day_series(relation, start_day, end_day) -%}
    select explode(sequence(cast({{ start_day }} as date), cast({{ end_day }} as date),
        interval 1 day)) as metric_date
    from {{ relation }}
{%- endmacro %}


{#- The same for months or ISO weeks (grain 'month' or 'week'): one row per first day of a
    period, in a column named after the grain. -#}
{% macro period_series(relation, start_period, end_period, grain='month') -%}
    {{ return(adapter.dispatch('period_series', 'funnel')(relation, start_period, end_period, grain)) }}
{%- endmacro %}

{% macro default__period_series(relation, start_period, end_period, grain) -%}
    select cast(unnest(generate_series(cast({{ start_period }} as date),
        cast({{ end_period }} as date), interval 1 {{ grain }})) as date) as {{ grain }}
    from {{ relation }}
{%- endmacro %}

{% macro spark__period_series(relation, start_period, end_period, grain) -%}
    select explode(sequence(cast({{ start_period }} as date), cast({{ end_period }} as date),
        interval 1 {{ grain }})) as {{ grain }}
    from {{ relation }}
{%- endmacro %}


{#- The instant a version of an opportunity takes effect before the running maximum of
    fct_opportunity_history: its updated_at, or its created_at where updated_at is null or
    earlier. Never later than the version's valid_from, so the day of it bounds what the
    version can change. -#}
{% macro version_effective_at(prefix='') -%}
    case
        when {{ prefix }}updated_at is null or {{ prefix }}updated_at < {{ prefix }}created_at
            then {{ prefix }}created_at
        else {{ prefix }}updated_at
    end
{%- endmacro %}


{#- mart_pipeline_daily, incremental: the first day a run recomputes. The earliest day on which
    a version loaded after the mart's watermark (its greatest `_loaded_at`) takes effect (no
    earlier day's state can change: a version changes the state only from the instant it takes
    effect), and at the latest the day after the mart's last day (the days a new batch adds). -#}
{% macro pipeline_rebuild_from(relation) -%}
    select least(
        (select min({{ to_date(version_effective_at('versions.')) }})
         from {{ ref('stg_alignment__opportunity_versions') }} as versions
         where {{ loaded_since('versions._loaded_at', relation) }}),
        (select cast(max(metric_date) + interval 1 day as date) from {{ relation }})
    )
{%- endmacro %}


{#- Incremental strategy `replace_days_from`: delete every row of the target from the first
    day to recompute (pipeline_rebuild_from, computed before anything is deleted) and insert the
    new rows, which cover exactly those days. `unique_key` names the date column. -#}
{% macro get_incremental_replace_days_from_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ key }} >= ({{ pipeline_rebuild_from(target) }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}
