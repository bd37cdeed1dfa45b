-- Every loaded version of every web event (the raw history), with the load time of each: its
-- event by the raw key (the key stg_raw__web_visits partitions versions by) and its visitor
-- cleaned as stg_raw__web_visits cleans it. The incremental web models read it to find the
-- visitors whose events changed since their last build (macro visitors_to_rebuild);
-- `_loaded_at` never decides which version wins.
with

source as (

    select * from {{ source('raw', 'web_visits') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        {{ clean_text('visitor_id') }} as visitor_id,

        -- lineage
        cast(_loaded_at as timestamp) as _loaded_at

    from source

)

select * from renamed
