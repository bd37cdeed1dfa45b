-- Win rates, sales cycle and pipeline velocity per month, owner, segment and original channel
-- (glossary: Pipeline, "win rate, cycle, velocity"). Closes are the opportunities' current
-- states (fct_opportunities), counted in the month of their close; open opportunities are
-- those open at the month's end (fct_opportunity_history).
with

opportunities as (

    select
        opportunity_id,
        coalesce(owner_id, 'unassigned') as owner_id,
        coalesce(segment, '(none)') as segment,
        channel,
        is_won,
        is_closed,
        coalesce(amount, 0) as amount,
        {{ month_start('effective_closed_at') }} as month,
        {{ days_between('created_at', 'effective_closed_at') }} as cycle_days
    from {{ ref('fct_opportunities') }}

),

closes as (

    select
        month,
        owner_id,
        segment,
        channel,
        sum(case when is_won then 1 else 0 end) as won_opportunities,
        sum(case when not is_won then 1 else 0 end) as lost_opportunities,
        {{ exact_sum('case when is_won then amount else 0 end') }} as won_amount,
        {{ exact_sum('case when not is_won then amount else 0 end') }} as lost_amount,
        avg(case when is_won then cycle_days end) as avg_cycle_days,
        {{ exact_median('case when is_won then cycle_days end') }} as median_cycle_days
    from opportunities
    where is_closed and month is not null
    group by month, owner_id, segment, channel

),

history as (

    select
        history.opportunity_id,
        history.valid_from,
        coalesce(history.valid_to, cast('9999-12-31' as timestamp)) as valid_until,
        coalesce(history.owner_id, 'unassigned') as owner_id,
        coalesce(history.segment, '(none)') as segment,
        opportunities.channel
    from {{ ref('fct_opportunity_history') }} as history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id
    where history.is_open

),

bounds as (

    select min({{ month_start('valid_from') }}) as first_month,
        max({{ month_start('valid_from') }}) as last_month
    from {{ ref('fct_opportunity_history') }}

),

month_ends as (

    select month, cast(month as timestamp) + interval 1 month as month_end_at
    from ({{ period_series('bounds', 'first_month', 'last_month', 'month') }}) as series

),

open_at_end as (

    select
        month_ends.month,
        history.owner_id,
        history.segment,
        history.channel,
        count(*) as open_opportunities
    from month_ends
    inner join history
        on history.valid_from < month_ends.month_end_at
        and history.valid_until >= month_ends.month_end_at
    group by month_ends.month, history.owner_id, history.segment, history.channel

),

joined as (

    select
        coalesce(closes.month, open_at_end.month) as month,
        coalesce(closes.owner_id, open_at_end.owner_id) as owner_id,
        coalesce(closes.segment, open_at_end.segment) as segment,
        coalesce(closes.channel, open_at_end.channel) as channel,
        cast(coalesce(closes.won_opportunities, 0) as bigint) as won_opportunities,
        cast(coalesce(closes.lost_opportunities, 0) as bigint) as lost_opportunities,
        coalesce(closes.won_amount, 0) as won_amount,
        coalesce(closes.lost_amount, 0) as lost_amount,
        closes.avg_cycle_days,
        closes.median_cycle_days,
        cast(coalesce(open_at_end.open_opportunities, 0) as bigint) as open_opportunities
    from closes
    full outer join open_at_end
        on closes.month = open_at_end.month
        and closes.owner_id = open_at_end.owner_id
        and closes.segment = open_at_end.segment
        and closes.channel = open_at_end.channel

),

rated as (

    select
        joined.*,
        {{ safe_divide('won_opportunities', 'won_opportunities + lost_opportunities') }}
            as win_rate,
        {{ safe_divide('won_amount', 'won_amount + lost_amount') }} as win_rate_by_amount,
        {{ safe_divide('won_amount', 'won_opportunities') }} as avg_won_amount
    from joined

)

select
    rated.*,
    case when avg_cycle_days > 0
        then open_opportunities * win_rate * avg_won_amount / avg_cycle_days end
        as pipeline_velocity
from rated
