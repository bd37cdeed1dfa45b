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
        cast(interaction_id as string) as interaction_id,
        cast(contact_id as string) as contact_id,
        cast(contact_email as string) as contact_email,
        cast(opportunity_id as string) as opportunity_id,
        cast(owner_id as string) as owner_id,
        cast(content_id as string) as content_id,

        -- interaction
        cast(occurred_at as timestamp) as occurred_at,
        cast(interaction_type as string) as interaction_type,
        cast(direction as string) as direction,
        cast(outcome as string) as outcome,
        cast(custom_fields as string) as custom_fields,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
