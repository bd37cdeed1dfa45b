{#- One row per opportunity and period (grain 'month' or 'week', an ISO week) in which it was
    open at the period's start or changed (glossary: Pipeline, "waterfall"): its state at the
    start and at the end of the period (the last instant before the period's first / the next
    period's first instant), the sum of each waterfall bucket over its changes within the
    period, and whether it was due in the period (expected close within it). Amounts as
    decimals, so the buckets add up exactly. The period column is named after the grain.
    Models: int_opportunity_months, int_opportunity_weeks. -#}
{% macro opportunity_periods(grain) -%}
with

history as (

    select
        opportunity_id,
        valid_from,
        coalesce(valid_to, cast('9999-12-31' as timestamp)) as valid_until,
        stage,
        is_open,
        cast(coalesce(amount, 0) as decimal(38, 6)) as amount,
        {{ period_start(grain, 'expected_close_at') }} as expected_close_period,
        coalesce(owner_id, 'unassigned') as owner_id,
        coalesce(segment, '(none)') as segment,
        coalesce(pipeline, '(none)') as pipeline,
        lag(is_open) over (partition by opportunity_id order by valid_from asc nulls last)
            as previous_is_open,
        lag(cast(coalesce(amount, 0) as decimal(38, 6)))
            over (partition by opportunity_id order by valid_from asc nulls last)
            as previous_amount
    from {{ ref('fct_opportunity_history') }}

),

bounds as (

    select
        min({{ period_start(grain, 'valid_from') }}) as first_period,
        max({{ period_start(grain, 'valid_from') }}) as last_period
    from history

),

periods as (

    select {{ grain }} as period, cast({{ grain }} as timestamp) as period_start_at,
        cast({{ grain }} as timestamp) + interval 1 {{ grain }} as period_end_at
    from ({{ period_series('bounds', 'first_period', 'last_period', grain) }}) as series

),

changes as (

    select
        history.opportunity_id,
        {{ period_start(grain, 'history.valid_from') }} as period,
        history.is_open,
        history.stage,
        history.expected_close_period,
        case when history.is_open and coalesce(not history.previous_is_open, true)
            then 1 else 0 end as enters,
        case when history.previous_is_open and history.stage = 'closed_won' then 1 else 0 end
            as wins,
        case when history.previous_is_open and history.stage = 'closed_lost' then 1 else 0 end
            as losses,
        case when history.is_open and coalesce(not history.previous_is_open, true)
            then history.amount else 0 end as created,
        case when history.is_open and history.previous_is_open = false
            then history.amount else 0 end as reopened,
        case when history.previous_is_open and history.amount > history.previous_amount
            then history.amount - history.previous_amount else 0 end as increased,
        case when history.previous_is_open and history.amount < history.previous_amount
            then history.previous_amount - history.amount else 0 end as decreased,
        case when history.previous_is_open and history.stage = 'closed_won'
            then history.amount else 0 end as won,
        case when history.previous_is_open and history.stage = 'closed_lost'
            then history.amount else 0 end as lost
    from history

),

changed_periods as (

    select
        opportunity_id,
        period,
        sum(created) as created_amount,
        sum(reopened) as reopened_amount,
        sum(increased) as increased_amount,
        sum(decreased) as decreased_amount,
        sum(won) as won_amount,
        sum(lost) as lost_amount,
        sum(enters) as entries,
        sum(wins) as wins,
        sum(losses) as losses,
        max(case when is_open and expected_close_period = period then 1 else 0 end) as was_due
    from changes
    group by opportunity_id, period

),

start_states as (

    select
        periods.period,
        history.opportunity_id,
        history.is_open,
        history.amount,
        history.expected_close_period
    from periods
    inner join history
        on history.valid_from < periods.period_start_at
        and history.valid_until >= periods.period_start_at

),

pairs as (

    select opportunity_id, period from changed_periods
    union
    select opportunity_id, period from start_states where is_open

),

end_states as (

    select
        pairs.opportunity_id,
        pairs.period,
        history.is_open,
        history.stage,
        history.amount,
        history.expected_close_period,
        history.owner_id,
        history.segment,
        history.pipeline
    from pairs
    inner join periods
        on pairs.period = periods.period
    inner join history
        on history.opportunity_id = pairs.opportunity_id
        and history.valid_from < periods.period_end_at
        and history.valid_until >= periods.period_end_at

)

select
    end_states.period as {{ grain }},
    end_states.opportunity_id,
    end_states.owner_id,
    end_states.segment,
    end_states.pipeline,
    case when start_states.is_open then start_states.amount else 0 end as start_amount,
    coalesce(changed_periods.created_amount, 0) as created_amount,
    coalesce(changed_periods.reopened_amount, 0) as reopened_amount,
    coalesce(changed_periods.increased_amount, 0) as increased_amount,
    coalesce(changed_periods.decreased_amount, 0) as decreased_amount,
    coalesce(changed_periods.won_amount, 0) as won_amount,
    coalesce(changed_periods.lost_amount, 0) as lost_amount,
    case when end_states.is_open then end_states.amount else 0 end as end_amount,
    coalesce(start_states.is_open and start_states.expected_close_period = end_states.period, false)
        as is_due_at_start,
    coalesce(end_states.is_open and end_states.expected_close_period = end_states.period, false)
        as is_due_at_end,
    coalesce(start_states.is_open and start_states.expected_close_period = end_states.period, false)
        or coalesce(changed_periods.was_due = 1, false) as was_due,
    coalesce(start_states.is_open and start_states.expected_close_period > end_states.period, false)
        as was_due_later_at_start,
    coalesce(end_states.is_open and end_states.expected_close_period > end_states.period, false)
        as is_due_later_at_end,
    end_states.amount as end_state_amount,
    cast(coalesce(changed_periods.entries, 0) as bigint) as entries,
    cast(coalesce(changed_periods.wins, 0) as bigint) as wins,
    cast(coalesce(changed_periods.losses, 0) as bigint) as losses
from end_states
left join start_states
    on end_states.opportunity_id = start_states.opportunity_id
    and end_states.period = start_states.period
left join changed_periods
    on end_states.opportunity_id = changed_periods.opportunity_id
    and end_states.period = changed_periods.period
{%- endmacro %}


{#- The waterfall's flows summed over the rows of a group (mart_pipeline_waterfall and its
    weekly twin): each bucket's amount and the counts of entries, wins and losses. -#}
{% macro waterfall_flow_sums() -%}
    {%- for bucket in ['start', 'created', 'reopened', 'increased', 'decreased', 'won', 'lost', 'end'] %}
    cast(sum({{ bucket }}_amount) as double) as {{ bucket }}_amount,
    {%- endfor %}
    cast(sum(entries) as bigint) as created_opportunities,
    cast(sum(wins) as bigint) as won_opportunities,
    cast(sum(losses) as bigint) as lost_opportunities
{%- endmacro %}
