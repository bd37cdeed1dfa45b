{{ config(**incremental_config('replace_visitors', 'visitor_id', otherwise='table')) }}
-- One row per session: its span, its event counts and the attributes of its first event,
-- including the inputs of the channel rules (glossary: channel), computed on first events only.
-- Incremental like int_web_events_sessionized (macros/incremental.sql), with its own watermark:
-- a run recomputes all sessions of the visitors whose events changed since this table's last
-- build, from their freshly sessionized events.
-- depends_on: {{ ref('stg_raw__web_visit_versions') }}
--
-- The events are read twice (spans, first events), not through one shared CTE: DuckDB
-- materialises a CTE read twice, every column of every event (4.3 s instead of 1.7 s at 10M).
with
{%- if is_incremental() %}

rebuilt_visitors as (

    {{ visitors_to_rebuild(this) }}

),
{%- endif %}

spans as (

    select
        session_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        sum(case when event_type = 'page_view' then 1 else 0 end) as pageviews
    from {{ ref('int_web_events_sessionized') }}
    where {{ rebuilt_visitors_only() }}
    group by session_id

),

first_events as (

    select
        session_id,
        visitor_id,
        event_id as first_event_id,
        page_url as landing_page_url,
        referrer_url,
        utm_source,
        utm_medium,
        utm_campaign,
        _loaded_at
    from {{ ref('int_web_events_sessionized') }}
    where is_session_start and {{ rebuilt_visitors_only() }}

),

sessions as (

    select
        first_events.session_id,
        first_events.visitor_id,
        first_events.first_event_id,
        spans.started_at,
        spans.ended_at,
        cast(spans.event_count as bigint) as event_count,
        cast(spans.pageviews as bigint) as pageviews,
        cast(spans.event_count - spans.pageviews as bigint) as site_interactions,
        first_events.landing_page_url,
        first_events.referrer_url,
        first_events.utm_source,
        first_events.utm_medium,
        first_events.utm_campaign,
        first_events._loaded_at
    from first_events
    inner join spans
        on first_events.session_id = spans.session_id

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
    lower(coalesce(utm_source, '')) as channel_source,
    lower(coalesce(utm_medium, '')) as channel_medium,
    (utm_source is not null or utm_medium is not null or utm_campaign is not null) as has_utm,
    case
        when referrer_host_with_www like 'www.%' then substr(referrer_host_with_www, 5)
        else referrer_host_with_www
    end as referrer_host,
    _loaded_at
from hosts
