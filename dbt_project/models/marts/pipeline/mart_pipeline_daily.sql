{{ config(**incremental_config('replace_days_from', 'metric_date', otherwise='table')) }}
-- The open pipeline as of the end of each day (glossary: Pipeline), per stage, owner, segment
-- and pipeline: the state of every opportunity at the day's last instant
-- (fct_opportunity_history), open ones only. Days run from the first day an opportunity version
-- took effect to the last. Incremental on DuckDB (macros/pipeline.sql): a run recomputes the
-- days from the first one a newly loaded version changes; a new day's batch adds that day.
-- depends_on: {{ ref('stg_alignment__opportunity_versions') }}
with

history as (

    select * from {{ ref('fct_opportunity_history') }}

),

loads as (

    select max(_loaded_at) as loaded_through
    from {{ ref('stg_alignment__opportunity_versions') }}

),

bounds as (

    select
        {%- if is_incremental() %}
        ({{ pipeline_rebuild_from(this) }}) as first_day,
        {%- else %}
        min({{ to_date('valid_from') }}) as first_day,
        {%- endif %}
        max({{ to_date('valid_from') }}) as last_day
    from history

),

days as (

    {{ day_series('bounds', 'first_day', 'last_day') }}

),

day_ends as (

    select metric_date, cast(metric_date as timestamp) + interval 1 day as day_end
    from days

),

snapshot as (

    select
        day_ends.metric_date,
        history.stage,
        coalesce(history.owner_id, 'unassigned') as owner_id,
        coalesce(history.segment, '(none)') as segment,
        coalesce(history.pipeline, '(none)') as pipeline,
        coalesce(history.amount, 0) as amount,
        coalesce(history.probability, 0) as probability,
        coalesce(
            {{ month_start('history.expected_close_at') }} = {{ month_start('day_ends.metric_date') }},
            false
        ) as is_due_this_month
    from day_ends
    inner join history
        on history.valid_from < day_ends.day_end
        and coalesce(history.valid_to, cast('9999-12-31' as timestamp)) >= day_ends.day_end
    where history.is_open

)

select
    snapshot.metric_date,
    snapshot.stage,
    snapshot.owner_id,
    snapshot.segment,
    snapshot.pipeline,
    cast(count(*) as bigint) as open_opportunities,
    {{ exact_sum('snapshot.amount') }} as open_amount,
    {{ exact_sum('snapshot.amount * snapshot.probability') }} as weighted_amount,
    cast(sum(case when snapshot.is_due_this_month then 1 else 0 end) as bigint)
        as due_this_month_opportunities,
    {{ exact_sum('case when snapshot.is_due_this_month then snapshot.amount else 0 end') }}
        as due_this_month_amount,
    max(loads.loaded_through) as _loaded_at
from snapshot
cross join loads
group by
    snapshot.metric_date, snapshot.stage, snapshot.owner_id, snapshot.segment, snapshot.pipeline
