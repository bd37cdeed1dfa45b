-- One row per session with its channel (the channel of its first event).
with

sessions as (

    select * from {{ ref('int_sessions_aggregated') }}

),

channels as (

    select * from {{ ref('int_channel_keys_classified') }}

)

select
    sessions.session_id,
    sessions.visitor_id,
    sessions.first_event_id,
    sessions.started_at,
    sessions.ended_at,
    sessions.session_date,
    sessions.duration_seconds,
    sessions.event_count,
    sessions.pageviews,
    sessions.site_interactions,
    sessions.is_bounce,
    channels.channel,
    channels.matched_rule_priority,
    sessions.utm_source,
    sessions.utm_medium,
    sessions.utm_campaign,
    sessions.referrer_url,
    case when sessions.referrer_host = '' then null else sessions.referrer_host end
        as referrer_host,
    sessions.landing_page_url
from sessions
inner join channels
    on sessions.channel_source = channels.channel_source
    and sessions.channel_medium = channels.channel_medium
    and sessions.has_utm = channels.has_utm
    and sessions.referrer_host = channels.referrer_host
