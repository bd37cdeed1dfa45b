-- One row per opportunity_id: its latest version (greatest updated_at, then the latest loaded:
-- greatest _source_file, then _source_line). Never ordered by _loaded_at.
-- Partitioned by the raw key (ingestion trims keys and rejects empty ones; the unique test
-- guards it).
with

source as (

    select * from {{ source('raw', 'opportunities') }}

),

versioned as (

    select
        source.*,
        row_number() over (
            partition by opportunity_id
            order by
                updated_at desc nulls last,
                _source_file desc nulls last,
                _source_line desc nulls last
        ) as version_rank
    from source

),

renamed as (

    select
        -- ids
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('account_name') }} as account_name,

        -- deal
        {{ clean_text('stage') }} as stage,
        cast(amount as double) as amount,
        {{ clean_text('currency') }} as currency,
        {{ clean_text('segment') }} as segment,
        {{ clean_text('lost_reason') }} as lost_reason,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(closed_at as timestamp) as closed_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
