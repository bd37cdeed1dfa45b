-- One row per interaction_id: the latest loaded version (greatest _source_file, then
-- _source_line). Never ordered by _loaded_at.
-- Partitioned by the raw key (ingestion trims keys and rejects empty ones; the unique test
-- guards it).
with

source as (

    select * from {{ source('raw', 'sales_interactions') }}

),

versioned as (

    select
        source.*,
        row_number() over (
            partition by interaction_id
            order by _source_file desc nulls last, _source_line desc nulls last
        ) as version_rank
    from source

),

renamed as (

    select
        -- ids
        {{ clean_text('interaction_id') }} as interaction_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('content_id') }} as content_id,

        -- interaction
        cast(occurred_at as timestamp) as occurred_at,
        {{ clean_text('interaction_type') }} as interaction_type,
        {{ clean_text('direction') }} as direction,
        {{ clean_text('outcome') }} as outcome,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
