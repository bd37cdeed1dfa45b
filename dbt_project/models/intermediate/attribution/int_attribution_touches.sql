-- The candidate touches of every opportunity: each session of the opportunity's contact that
-- started within the lookback window before the opportunity's creation (var
-- attribution_lookback_days, inclusive) and, for a closed opportunity, also those
-- up to its close (for full_path). The input of the macro attribution_credits_ctes.
{%- set lookback_days = var('attribution_lookback_days') %}
with

opportunities as (

    select
        opportunity_id,
        contact_id,
        created_at,
        case when is_closed then effective_closed_at end as closed_at
    from {{ ref('fct_opportunities') }}

),

contacts as (

    select contact_id, created_at from {{ ref('dim_contacts') }}

),

sessions as (

    select session_id, contact_id, started_at
    from {{ ref('fct_sessions') }}
    where contact_id is not null

)

select
    opportunities.opportunity_id,
    sessions.session_id as touch_id,
    sessions.started_at as touch_at,
    opportunities.created_at as opportunity_created_at,
    contacts.created_at as contact_created_at,
    opportunities.closed_at as opportunity_closed_at
from opportunities
inner join sessions
    on opportunities.contact_id = sessions.contact_id
left join contacts
    on opportunities.contact_id = contacts.contact_id
where sessions.started_at >= opportunities.created_at - interval {{ lookback_days | int }} day
    and (
        sessions.started_at < opportunities.created_at
        or (opportunities.closed_at is not null and sessions.started_at < opportunities.closed_at)
    )
