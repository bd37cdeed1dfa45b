-- Every loaded version of every web event (the raw history), typed and cleaned, with the load
-- time of each. Its event_id is the raw key as loaded (ingestion trims keys and rejects empty
-- ones), the key versions are grouped by. stg_raw__web_visits keeps the latest version of each
-- event; the incremental web models read the history to find the visitors whose events changed
-- since their last build (macro visitors_to_rebuild). `_loaded_at` never decides which version
-- wins.
with

source as (

    select * from {{ source('raw', 'web_visits') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
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
        cast(_loaded_at as timestamp) as _loaded_at

    from source

)

select * from renamed
