-- One row per web session (glossary: session), with its channel and stitched contact.
with

sessions as (

    select * from {{ ref('int_sessions_classified') }}

),

stitched_visitors as (

    select visitor_id, contact_id from {{ ref('int_visitors_stitched') }}

)

select
    sessions.session_id,
    sessions.visitor_id,
    stitched_visitors.contact_id,
    sessions.started_at,
    sessions.ended_at,
    sessions.session_date,
    sessions.duration_seconds,
    sessions.event_count,
    sessions.pageviews,
    sessions.site_interactions,
    sessions.is_bounce,
    sessions.channel,
    sessions.utm_source,
    sessions.utm_medium,
    sessions.utm_campaign,
    sessions.referrer_host,
    sessions.landing_page_url
from sessions
left join stitched_visitors
    on sessions.visitor_id = stitched_visitors.visitor_id
