-- Opportunities that no attribution model credits: no session of their contact started within
-- the lookback window before their creation. Kept and counted, never dropped.
-- reason: contact_unknown (the contact is not in dim_contacts), no_web_sessions (the contact has
-- no stitched session at all), no_session_in_window (sessions exist, none in the window).
{%- set lookback_days = var('attribution_lookback_days') %}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

attributed as (

    select distinct opportunity_id from {{ ref('fct_attribution') }}

),

contact_sessions as (

    select contact_id, count(*) as sessions
    from {{ ref('fct_sessions') }}
    where contact_id is not null
    group by contact_id

)

select
    opportunities.opportunity_id,
    opportunities.contact_id,
    opportunities.channel,
    opportunities.stage,
    opportunities.amount,
    opportunities.is_won,
    opportunities.created_at,
    {{ month_start('opportunities.created_at') }} as opportunity_month,
    opportunities.effective_closed_at,
    case
        when opportunities.is_closed then {{ month_start('opportunities.effective_closed_at') }}
    end as close_month,
    case
        when not opportunities.is_contact_known then 'contact_unknown'
        when contact_sessions.contact_id is null then 'no_web_sessions'
        else 'no_session_in_window'
    end as reason,
    cast({{ lookback_days | int }} as bigint) as lookback_days
from opportunities
left join attributed
    on opportunities.opportunity_id = attributed.opportunity_id
left join contact_sessions
    on opportunities.contact_id = contact_sessions.contact_id
where attributed.opportunity_id is null
