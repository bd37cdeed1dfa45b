{{ config(materialized='view') }}
-- One row per event_id: the latest loaded version (greatest _source_file, then _source_line).
-- Partitioned by the raw key (ingestion trims keys and rejects empty ones; the unique test on
-- int_web_events_sessionized guards it). Never ordered by _loaded_at, so re-loading a file in
-- another batch changes nothing. `_loaded_at` is the latest load of any version of the event:
-- the sessionized events' watermark, never what decides which version wins.
--
-- A view on every engine: int_web_events_sessionized, the only model reading it, is itself
-- incremental and reads only the rebuilt visitors' events through it. As a table it was a
-- second copy of the whole web history: at 10M events writing it cost 5 s of a full build,
-- its tests 2 s more, and an increment re-ranked and rewrote the new events for nothing.
{%- set event_versions = 'partition by event_id order by _source_file desc nulls last, _source_line desc nulls last' %}
with

-- Most events have one version: only those with several go through the window that ranks
-- them (a sort of the whole history by event_id was half of a full build's staging time).
repeated_events as (

    select event_id
    from {{ source('raw', 'web_visits') }} as source
    group by event_id
    having count(*) > 1

),

versioned as (

    select
        source.*,
        1 as version_rank,
        _loaded_at as event_loaded_at
    from {{ source('raw', 'web_visits') }} as source
    where not exists (
        select 1 from repeated_events where repeated_events.event_id = source.event_id
    )

    union all

    select
        source.*,
        row_number() over ({{ event_versions }}) as version_rank,
        max(_loaded_at) over (
            {{ event_versions }} rows between unbounded preceding and unbounded following
        ) as event_loaded_at
    from {{ source('raw', 'web_visits') }} as source
    where exists (
        select 1 from repeated_events where repeated_events.event_id = source.event_id
    )

),

renamed as (

    select
        -- ids
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('visitor_id') }} as visitor_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email,

        -- event
        cast(occurred_at as timestamp) as occurred_at,
        {{ clean_text('event_type') }} as event_type,
        {{ clean_text('page_url') }} as page_url,
        {{ clean_text('referrer_url') }} as referrer_url,
        cast(time_on_page_s as double) as time_on_page_s,
        {{ clean_text('device') }} as device,
        {{ clean_text('country') }} as country,

        -- campaign
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ clean_text('utm_content') }} as utm_content,
        {{ clean_text('utm_term') }} as utm_term,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(event_loaded_at as timestamp) as _loaded_at

    from versioned
    where version_rank = 1

)

select * from renamed
