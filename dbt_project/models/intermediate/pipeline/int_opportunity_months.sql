-- One row per opportunity and month in which it was open at the month's start or changed
-- (glossary: Pipeline, "waterfall"): its state at the start and at the end of the month (the
-- last instant before the month's first / the next month's first instant), the sum of each
-- waterfall bucket over its changes within the month, and whether it was due in the month.
-- Amounts as decimals, so the buckets add up exactly.
with

history as (

    select
        opportunity_id,
        valid_from,
        coalesce(valid_to, cast('9999-12-31' as timestamp)) as valid_until,
        stage,
        is_open,
        cast(coalesce(amount, 0) as decimal(38, 6)) as amount,
        {{ month_start('expected_close_at') }} as expected_close_month,
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
        min({{ month_start('valid_from') }}) as first_month,
        max({{ month_start('valid_from') }}) as last_month
    from history

),

months as (

    select month, cast(month as timestamp) as month_start_at,
        cast(month as timestamp) + interval 1 month as month_end_at
    from ({{ month_series('bounds', 'first_month', 'last_month') }}) as series

),

changes as (

    select
        history.opportunity_id,
        {{ month_start('history.valid_from') }} as month,
        history.is_open,
        history.stage,
        history.expected_close_month,
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

changed_months as (

    select
        opportunity_id,
        month,
        sum(created) as created_amount,
        sum(reopened) as reopened_amount,
        sum(increased) as increased_amount,
        sum(decreased) as decreased_amount,
        sum(won) as won_amount,
        sum(lost) as lost_amount,
        sum(enters) as entries,
        sum(wins) as wins,
        sum(losses) as losses,
        max(case when is_open and expected_close_month = month then 1 else 0 end) as was_due
    from changes
    group by opportunity_id, month

),

start_states as (

    select
        months.month,
        history.opportunity_id,
        history.is_open,
        history.amount,
        history.expected_close_month
    from months
    inner join history
        on history.valid_from < months.month_start_at
        and history.valid_until >= months.month_start_at

),

pairs as (

    select opportunity_id, month from changed_months
    union
    select opportunity_id, month from start_states where is_open

),

end_states as (

    select
        pairs.opportunity_id,
        pairs.month,
        history.is_open,
        history.stage,
        history.amount,
        history.expected_close_month,
        history.owner_id,
        history.segment,
        history.pipeline
    from pairs
    inner join months
        on pairs.month = months.month
    inner join history
        on history.opportunity_id = pairs.opportunity_id
        and history.valid_from < months.month_end_at
        and history.valid_until >= months.month_end_at

)

select
    end_states.month,
    end_states.opportunity_id,
    end_states.owner_id,
    end_states.segment,
    end_states.pipeline,
    case when start_states.is_open then start_states.amount else 0 end as start_amount,
    coalesce(changed_months.created_amount, 0) as created_amount,
    coalesce(changed_months.reopened_amount, 0) as reopened_amount,
    coalesce(changed_months.increased_amount, 0) as increased_amount,
    coalesce(changed_months.decreased_amount, 0) as decreased_amount,
    coalesce(changed_months.won_amount, 0) as won_amount,
    coalesce(changed_months.lost_amount, 0) as lost_amount,
    case when end_states.is_open then end_states.amount else 0 end as end_amount,
    coalesce(start_states.is_open and start_states.expected_close_month = end_states.month, false)
        as is_due_at_start,
    coalesce(end_states.is_open and end_states.expected_close_month = end_states.month, false)
        as is_due_at_end,
    coalesce(start_states.is_open and start_states.expected_close_month = end_states.month, false)
        or coalesce(changed_months.was_due = 1, false) as was_due,
    coalesce(start_states.is_open and start_states.expected_close_month > end_states.month, false)
        as was_due_later_at_start,
    coalesce(end_states.is_open and end_states.expected_close_month > end_states.month, false)
        as is_due_later_at_end,
    end_states.amount as end_state_amount,
    cast(coalesce(changed_months.entries, 0) as bigint) as entries,
    cast(coalesce(changed_months.wins, 0) as bigint) as wins,
    cast(coalesce(changed_months.losses, 0) as bigint) as losses
from end_states
left join start_states
    on end_states.opportunity_id = start_states.opportunity_id
    and end_states.month = start_states.month
left join changed_months
    on end_states.opportunity_id = changed_months.opportunity_id
    and end_states.month = changed_months.month
