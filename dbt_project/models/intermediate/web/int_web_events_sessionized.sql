-- Every event with the session it belongs to (glossary: session).
-- Events of a visitor are ordered by occurred_at, then event_id. A new gap-segment starts at a
-- gap of session_timeout_minutes or more. Within a segment, an event starts a new session when
-- its campaign (utm_source, utm_medium, utm_campaign) is non-empty and differs from the last
-- non-empty campaign among the earlier events of the segment, or when there is no such earlier
-- campaign and the event is not the segment's first. That equals the glossary's rule ("a new
-- non-empty campaign that differs from the session's campaign"): inside a session every
-- non-empty campaign equals the session's campaign, and a session whose first event has an
-- empty campaign is always its segment's first session.
with

events as (

    select
        event_id,
        visitor_id,
        occurred_at,
        event_type,
        page_url,
        referrer_url,
        utm_source,
        utm_medium,
        utm_campaign,
        case
            when utm_source is not null or utm_medium is not null or utm_campaign is not null
                then 1
            else 0
        end as has_campaign
    from {{ ref('stg_raw__web_visits') }}

),

gaps as (

    select
        events.*,
        case
            when lag(occurred_at) over (
                    partition by visitor_id order by occurred_at asc, event_id asc
                ) is null
                then 1
            when occurred_at >= lag(occurred_at) over (
                    partition by visitor_id order by occurred_at asc, event_id asc
                ) + interval {{ var('session_timeout_minutes') }} minute
                then 1
            else 0
        end as is_segment_start
    from events

),

segments as (

    select
        gaps.*,
        sum(is_segment_start) over (
            partition by visitor_id
            order by occurred_at asc, event_id asc
            rows between unbounded preceding and current row
        ) as segment_number
    from gaps

),

previous_campaigns as (

    -- Within the segment, among events with a non-empty campaign only: the previous such
    -- event's campaign (null event id when there is none).
    select
        segments.*,
        lag(event_id) over campaign_window as previous_campaign_event_id,
        lag(coalesce(utm_source, '')) over campaign_window as previous_utm_source,
        lag(coalesce(utm_medium, '')) over campaign_window as previous_utm_medium,
        lag(coalesce(utm_campaign, '')) over campaign_window as previous_utm_campaign
    from segments
    window campaign_window as (
        partition by visitor_id, segment_number, has_campaign
        order by occurred_at asc, event_id asc
    )

),

session_starts as (

    select
        previous_campaigns.*,
        case
            when is_segment_start = 1 then 1
            when has_campaign = 0 then 0
            when previous_campaign_event_id is null then 1
            when previous_utm_source <> coalesce(utm_source, '')
                or previous_utm_medium <> coalesce(utm_medium, '')
                or previous_utm_campaign <> coalesce(utm_campaign, '')
                then 1
            else 0
        end as is_session_start
    from previous_campaigns

),

numbered as (

    select
        session_starts.*,
        sum(is_session_start) over (
            partition by visitor_id
            order by occurred_at asc, event_id asc
            rows between unbounded preceding and current row
        ) as session_number
    from session_starts

),

with_first_event as (

    select
        numbered.*,
        first_value(event_id) over (
            partition by visitor_id, session_number
            order by occurred_at asc, event_id asc
            rows between unbounded preceding and unbounded following
        ) as session_first_event_id
    from numbered

)

select
    event_id,
    {{ hash_md5("concat(visitor_id, '|', session_first_event_id)") }} as session_id,
    visitor_id,
    cast(session_number as bigint) as session_number,
    is_session_start = 1 as is_session_start,
    occurred_at,
    {{ to_date('occurred_at') }} as event_date,
    event_type,
    page_url,
    referrer_url,
    utm_source,
    utm_medium,
    utm_campaign
from with_first_event
