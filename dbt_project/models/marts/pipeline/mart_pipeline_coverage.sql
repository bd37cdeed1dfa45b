-- Coverage against quota per month, owner and segment (glossary: Pipeline, "coverage"): as of
-- the month's last day (the latest day for the current month) and, for comparison, as of the
-- same day of the previous month. The state of every opportunity at each of those instants
-- comes from fct_opportunity_history; owner and segment are the state's.
{%- set figures = ['closed_won_amount', 'due_amount', 'due_weighted_amount'] %}
with

history as (

    select
        opportunity_id,
        valid_from,
        coalesce(valid_to, cast('9999-12-31' as timestamp)) as valid_until,
        stage,
        is_open,
        coalesce(amount, 0) as amount,
        coalesce(probability, 0) as probability,
        {{ month_start('expected_close_at') }} as expected_close_month,
        {{ month_start('coalesce(closed_at, updated_at)') }} as close_month,
        coalesce(owner_id, 'unassigned') as owner_id,
        coalesce(segment, '(none)') as segment
    from {{ ref('fct_opportunity_history') }}

),

bounds as (

    select
        min({{ month_start('valid_from') }}) as first_month,
        max({{ month_start('valid_from') }}) as last_month,
        max({{ to_date('valid_from') }}) as last_day
    from history

),

months as (

    select series.month, bounds.last_day
    from ({{ period_series('bounds', 'first_month', 'last_month', 'month') }}) as series
    cross join bounds

),

points as (

    select
        month,
        month as period,
        'current' as point,
        least(cast(cast(month as timestamp) + interval 1 month - interval 1 day as date), last_day)
            as measured_on
    from months

),

instants as (

    select month, period, point, measured_on,
        cast(measured_on as timestamp) + interval 1 day as instant
    from points

    union all

    select
        month,
        cast(cast(month as timestamp) - interval 1 month as date) as period,
        'previous' as point,
        cast(cast(measured_on as timestamp) - interval 1 month as date) as measured_on,
        cast(cast(measured_on as timestamp) - interval 1 month as date) + interval 1 day as instant
    from points

),

states as (

    select
        instants.month,
        instants.point,
        history.owner_id,
        history.segment,
        case when history.stage = 'closed_won' and history.close_month = instants.period
            then history.amount else 0 end as closed_won_amount,
        case when history.is_open and history.expected_close_month = instants.period
            then history.amount else 0 end as due_amount,
        case when history.is_open and history.expected_close_month = instants.period
            then history.amount * history.probability else 0 end as due_weighted_amount
    from instants
    inner join history
        on history.valid_from < instants.instant
        and history.valid_until >= instants.instant

),

quotas as (

    select cast(period_month as date) as period, owner_id, segment, cast(quota as double) as quota
    from {{ ref('sales_quotas') }}

),

parts as (

    select
        month, owner_id, segment,
        cast(null as double) as quota,
        cast(null as double) as previous_quota,
        {%- for figure in figures %}
        case when point = 'current' then {{ figure }} else 0 end as {{ figure }},
        case when point = 'previous' then {{ figure }} else 0 end as previous_{{ figure }}
            {{- "," if not loop.last }}
        {%- endfor %}
    from states

    union all

    select
        months.month, quotas.owner_id, quotas.segment,
        case when quotas.period = months.month then quotas.quota end as quota,
        case when quotas.period < months.month then quotas.quota end as previous_quota,
        {%- for figure in figures %}
        0 as {{ figure }}, 0 as previous_{{ figure }}{{ "," if not loop.last }}
        {%- endfor %}
    from months
    inner join quotas
        on quotas.period = months.month
        or quotas.period = cast(cast(months.month as timestamp) - interval 1 month as date)

),

summed as (

    select
        month,
        owner_id,
        segment,
        max(quota) as quota,
        max(previous_quota) as previous_quota,
        {%- for figure in figures %}
        {{ exact_sum(figure) }} as {{ figure }},
        {{ exact_sum('previous_' ~ figure) }} as previous_{{ figure }}{{ "," if not loop.last }}
        {%- endfor %}
    from parts
    group by month, owner_id, segment

)

select
    summed.month,
    months.measured_on,
    cast(cast(months.measured_on as timestamp) - interval 1 month as date) as previous_measured_on,
    summed.owner_id,
    summed.segment,
    summed.quota,
    summed.closed_won_amount,
    summed.quota - summed.closed_won_amount as gap_to_quota,
    summed.due_amount,
    case when summed.quota - summed.closed_won_amount > 0
        then summed.due_amount / (summed.quota - summed.closed_won_amount) end as coverage,
    summed.due_weighted_amount,
    summed.previous_quota,
    summed.previous_closed_won_amount,
    summed.previous_quota - summed.previous_closed_won_amount as previous_gap_to_quota,
    summed.previous_due_amount,
    case when summed.previous_quota - summed.previous_closed_won_amount > 0
        then summed.previous_due_amount / (summed.previous_quota - summed.previous_closed_won_amount)
    end as previous_coverage,
    summed.previous_due_weighted_amount
from summed
inner join (select month, measured_on from points) as months
    on summed.month = months.month
