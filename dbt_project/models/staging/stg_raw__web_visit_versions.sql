-- Every loaded version of every web event (the raw history), typed, with the load
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
        cast(visitor_id as string) as visitor_id,
        cast(contact_id as string) as contact_id,
        cast(email as string) as email,

        -- event
        cast(occurred_at as timestamp) as occurred_at,
        cast(event_type as string) as event_type,
        cast(page_url as string) as page_url,
        cast(referrer_url as string) as referrer_url,
        cast(time_on_page_s as double) as time_on_page_s,
        cast(device as string) as device,
        cast(country as string) as country,

        -- campaign
        cast(utm_source as string) as utm_source,
        cast(utm_medium as string) as utm_medium,
        cast(utm_campaign as string) as utm_campaign,
        cast(utm_content as string) as utm_content,
        cast(utm_term as string) as utm_term,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_loaded_at as timestamp) as _loaded_at

    from source

)

select * from renamed
