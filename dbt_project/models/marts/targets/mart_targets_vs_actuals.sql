-- Monthly actuals of every owned metric (seed metric_owners) next to their targets (seed
-- metric_targets), per channel and for all channels together (channel '(all)'). One row per
-- metric, month and channel that has an actual or a target. Actuals come from
-- mart_funnel_daily (the eight metrics, summed over the month; contact_source is the channel's
-- share of the month's new contacts, channel rows only) and from mart_lead_follow_up_summary
-- (MQL-to-SQL rate, share followed up within the SLA, share ignored, by month of becoming MQL).
-- actual_value is null where nothing was recorded for that month and channel.
{%- set daily_sums = [
    ('visits', 'visits'),
    ('contacts', 'new_contacts'),
    ('contact_registration', 'complete_contacts'),
    ('opportunities', 'opportunities'),
    ('pipeline_amount', 'pipeline_amount'),
    ('customers', 'customers'),
    ('revenue_won', 'revenue_won'),
    ('site_interactions', 'site_interactions'),
    ('sales_interactions', 'sales_interactions'),
] %}
{%- set amount_columns = ['pipeline_amount', 'revenue_won'] %}
{%- set follow_up_shares = [
    ('mql_to_sql_rate', 'mqls_reached_sql'),
    ('follow_up_within_sla_share', 'mqls_within_sla'),
    ('ignored_mql_share', 'mqls_ignored'),
] %}
with

daily as (

    select {{ month_start('metric_date') }} as month, mart_funnel_daily.*
    from {{ ref('mart_funnel_daily') }} as mart_funnel_daily

),

monthly as (

    select
        month,
        channel,
        {%- for metric, column in daily_sums %}
        {{ exact_sum(column) if column in amount_columns else 'sum(' ~ column ~ ')' }}
            as {{ metric }},
        {%- endfor %}
        sum(new_contacts) as new_contacts
    from daily
    group by month, channel

    union all

    select
        month,
        '(all)' as channel,
        {%- for metric, column in daily_sums %}
        {{ exact_sum(column) if column in amount_columns else 'sum(' ~ column ~ ')' }}
            as {{ metric }},
        {%- endfor %}
        sum(new_contacts) as new_contacts
    from daily
    group by month

),

month_contacts as (

    select month, new_contacts as month_new_contacts
    from monthly
    where channel = '(all)'

),

follow_up as (

    select
        mql_month as month,
        channel,
        sum(mqls) as mqls,
        {%- for metric, column in follow_up_shares %}
        sum({{ column }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('mart_lead_follow_up_summary') }}
    group by mql_month, channel

    union all

    select
        mql_month as month,
        '(all)' as channel,
        sum(mqls) as mqls,
        {%- for metric, column in follow_up_shares %}
        sum({{ column }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('mart_lead_follow_up_summary') }}
    group by mql_month

),

actuals as (

    {%- for metric, column in daily_sums %}
    select '{{ metric }}' as metric, month, channel, cast({{ metric }} as double) as actual_value
    from monthly
    union all
    {%- endfor %}

    select
        'contact_source' as metric,
        monthly.month,
        monthly.channel,
        {{ safe_divide('monthly.new_contacts', 'month_contacts.month_new_contacts') }}
            as actual_value
    from monthly
    inner join month_contacts
        on monthly.month = month_contacts.month
    where monthly.channel <> '(all)'

    {%- for metric, column in follow_up_shares %}
    union all
    select
        '{{ metric }}' as metric,
        month,
        channel,
        {{ safe_divide(column, 'mqls') }} as actual_value
    from follow_up
    {%- endfor %}

),

targets as (

    select
        metric,
        cast(period_month as date) as month,
        coalesce(nullif(trim(cast(channel as string)), ''), '(all)') as channel,
        cast(target_value as double) as target_value
    from {{ ref('metric_targets') }}

),

owners as (

    select * from {{ ref('metric_owners') }}

),

joined as (

    select
        coalesce(actuals.metric, targets.metric) as metric,
        coalesce(actuals.month, targets.month) as month,
        coalesce(actuals.channel, targets.channel) as channel,
        actuals.actual_value,
        targets.target_value
    from actuals
    full outer join targets
        on actuals.metric = targets.metric
        and actuals.month = targets.month
        and actuals.channel = targets.channel

)

select
    joined.metric,
    joined.month,
    joined.channel,
    owners.owning_team,
    owners.owner_role,
    owners.unit,
    owners.direction,
    joined.actual_value,
    joined.target_value,
    joined.actual_value - joined.target_value as gap,
    {{ safe_divide('joined.actual_value', 'joined.target_value') }} as attainment,
    case
        when joined.actual_value is null or joined.target_value is null then cast(null as boolean)
        when owners.direction = 'lower_is_better' then joined.actual_value <= joined.target_value
        else joined.actual_value >= joined.target_value
    end as is_on_target
from joined
left join owners
    on joined.metric = owners.metric
