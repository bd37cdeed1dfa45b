-- One row per event_id: the latest loaded version (greatest _source_file, then _source_line).
-- Partitioned by the raw key (ingestion trims keys and rejects empty ones; the unique test
-- guards it). Never ordered by _loaded_at, so re-loading a file in another batch changes nothing.
with

source as (

    select * from {{ source('raw', 'web_visits') }}

),

versioned as (

    select
        source.*,
        row_number() over (
            partition by event_id
            order by _source_file desc nulls last, _source_line desc nulls last
        ) as version_rank
    from source

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
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
