-- One row per contact_id: its latest version (greatest updated_at, then the latest loaded:
-- greatest _source_file, then _source_line), plus the lifecycle stage of its earliest version
-- (smallest updated_at with nulls first, then the first loaded). Never ordered by _loaded_at.
-- Partitioned by the raw key (ingestion trims keys and rejects empty ones; the unique test
-- guards it).
with

source as (

    select * from {{ source('raw', 'contacts') }}

),

versioned as (

    select
        source.*,
        row_number() over (
            partition by contact_id
            order by
                updated_at desc nulls last,
                _source_file desc nulls last,
                _source_line desc nulls last
        ) as version_rank,
        first_value(lifecycle_stage) over (
            partition by contact_id
            order by
                updated_at asc nulls first,
                _source_file asc nulls first,
                _source_line asc nulls first
            rows between unbounded preceding and unbounded following
        ) as first_lifecycle_stage
    from source

),

renamed as (

    select
        -- ids
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('owner_id') }} as owner_id,

        -- person
        {{ normalise_email('email') }} as email,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('company') }} as company,
        {{ clean_text('job_title') }} as job_title,
        {{ clean_text('country') }} as country,

        -- funnel
        {{ clean_text('lifecycle_stage') }} as lifecycle_stage,
        {{ clean_text('first_lifecycle_stage') }} as lifecycle_stage_at_creation,
        {{ clean_text('original_source') }} as original_source,
        {{ clean_text('lead_status') }} as lead_status,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(became_lead_at as timestamp) as became_lead_at,
        cast(became_mql_at as timestamp) as became_mql_at,
        cast(became_sql_at as timestamp) as became_sql_at,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
