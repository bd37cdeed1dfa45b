-- One row per session: its span, its event counts and the attributes of its first event,
-- including the inputs of the channel rules (glossary: channel), computed on first events only.
with

events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

sessions as (

    select
        session_id,
        visitor_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        cast(count(*) as bigint) as event_count,
        cast(sum(case when event_type = 'page_view' then 1 else 0 end) as bigint) as pageviews,
        cast(sum(case when event_type = 'page_view' then 0 else 1 end) as bigint)
            as site_interactions,
        max(case when is_session_start then event_id end) as first_event_id,
        max(case when is_session_start then page_url end) as landing_page_url,
        max(case when is_session_start then referrer_url end) as referrer_url,
        max(case when is_session_start then utm_source end) as utm_source,
        max(case when is_session_start then utm_medium end) as utm_medium,
        max(case when is_session_start then utm_campaign end) as utm_campaign
    from events
    group by session_id, visitor_id

),

hosts as (

    select
        sessions.*,
        lower(coalesce(
            {{ regex_extract('referrer_url', regex_literal('^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)'), 1) }},
            ''
        )) as referrer_host_with_www
    from sessions

)

select
    session_id,
    visitor_id,
    first_event_id,
    started_at,
    ended_at,
    {{ to_date('started_at') }} as session_date,
    {{ seconds_between('started_at', 'ended_at') }} as duration_seconds,
    event_count,
    pageviews,
    site_interactions,
    event_count = 1 as is_bounce,
    landing_page_url,
    referrer_url,
    utm_source,
    utm_medium,
    utm_campaign,
    -- inputs of the channel rules (seed channel_rules)
    lower(trim(coalesce(utm_source, ''))) as channel_source,
    lower(trim(coalesce(utm_medium, ''))) as channel_medium,
    (
        trim(coalesce(utm_source, '')) <> ''
        or trim(coalesce(utm_medium, '')) <> ''
        or trim(coalesce(utm_campaign, '')) <> ''
    ) as has_utm,
    case
        when referrer_host_with_www like 'www.%' then substr(referrer_host_with_www, 5)
        else referrer_host_with_www
    end as referrer_host
from hosts
